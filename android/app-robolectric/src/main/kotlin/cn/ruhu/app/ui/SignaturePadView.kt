package cn.ruhu.app.ui

import android.content.Context
import android.graphics.Canvas
import android.graphics.Color
import android.graphics.Paint
import android.graphics.Path
import android.view.MotionEvent
import android.view.View
import cn.ruhu.app.SignatureInk

/**
 * A signature pad the width of the screen and [HEIGHT_DP] high: black ink on white with a baseline, the strokes kept
 * in a [SignatureInk] that exports the PNG. Every touch inside the pad draws (no small target to hit).
 */
class SignaturePadView(context: Context) : View(context) {
    private val strokePx = Ui.dp(context, 3).toFloat().coerceAtLeast(2f)
    private val paint = Paint(Paint.ANTI_ALIAS_FLAG).apply {
        color = Ui.INK
        style = Paint.Style.STROKE
        strokeWidth = strokePx
        strokeCap = Paint.Cap.ROUND
        strokeJoin = Paint.Join.ROUND
    }
    private val baseline = Paint().apply { color = Color.LTGRAY; strokeWidth = 2f }
    private var ink: SignatureInk? = null

    init {
        setBackgroundColor(Color.WHITE)
        minimumHeight = Ui.dp(context, HEIGHT_DP)
        isClickable = true
    }

    val isEmpty: Boolean get() = ink?.isEmpty ?: true

    override fun onSizeChanged(w: Int, h: Int, oldw: Int, oldh: Int) {
        super.onSizeChanged(w, h, oldw, oldh)
        // A rotation starts the signature again rather than stretch it.
        if (w > 0 && h > 0) ink = SignatureInk(w, h, strokePx)
    }

    override fun onTouchEvent(event: MotionEvent): Boolean {
        val current = ink ?: return false
        when (event.actionMasked) {
            MotionEvent.ACTION_DOWN -> {
                parent?.requestDisallowInterceptTouchEvent(true)
                current.start(event.x, event.y)
            }
            MotionEvent.ACTION_MOVE -> {
                for (i in 0 until event.historySize) current.extend(event.getHistoricalX(i), event.getHistoricalY(i))
                current.extend(event.x, event.y)
            }
            MotionEvent.ACTION_UP -> current.extend(event.x, event.y)
            else -> return false
        }
        invalidate()
        return true
    }

    override fun onDraw(canvas: Canvas) {
        super.onDraw(canvas)
        canvas.drawLine(width * 0.05f, height * 0.8f, width * 0.95f, height * 0.8f, baseline)
        for (stroke in ink?.lines().orEmpty()) {
            val path = Path()
            stroke.forEachIndexed { i, p -> if (i == 0) path.moveTo(p[0], p[1]) else path.lineTo(p[0], p[1]) }
            canvas.drawPath(path, paint)
        }
    }

    fun clear() {
        ink?.clear()
        invalidate()
    }

    /** The PNG for `addSignature`; throws [cn.ruhu.app.InputRefused] ("请先在框内签名") when the pad is empty. */
    fun png(): ByteArray = (ink ?: throw cn.ruhu.app.InputRefused(SignatureInk.EMPTY_PAD)).png()

    companion object {
        const val HEIGHT_DP = 240
    }
}
