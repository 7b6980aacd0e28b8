package cn.ruhu.app.ui

import android.content.Context
import android.graphics.Color
import android.graphics.Typeface
import android.util.TypedValue
import android.view.Gravity
import android.view.View
import android.widget.Button
import android.widget.LinearLayout
import android.widget.TextView

/**
 * Sizes and colours of every screen, in code (the app has no XML layouts so that Maven can build it without aapt).
 * Cheap phones in sunlight: black on white, large text, touch targets of at least [TOUCH_DP].
 */
object Ui {
    /** Above the 48 dp of the platform guidelines: gloves, cold fingers, a moving minibus. */
    const val TOUCH_DP = 56
    const val TEXT_SP = 18f
    const val LABEL_SP = 18f
    const val SMALL_SP = 15f
    val INK: Int = Color.rgb(0x11, 0x11, 0x11)
    val MUTED: Int = Color.rgb(0x44, 0x44, 0x44)
    val ERROR: Int = Color.rgb(0xB0, 0x00, 0x20)
    /** Amber dark enough to read on white in sunlight: a deadline that is due soon. */
    val WARNING: Int = Color.rgb(0x9A, 0x5B, 0x00)
    val ACCENT: Int = Color.rgb(0x00, 0x4D, 0x99)

    fun dp(context: Context, value: Int): Int =
        TypedValue.applyDimension(TypedValue.COMPLEX_UNIT_DIP, value.toFloat(), context.resources.displayMetrics).toInt()

    fun column(context: Context): LinearLayout = LinearLayout(context).apply {
        orientation = LinearLayout.VERTICAL
        val pad = dp(context, 16)
        setPadding(pad, pad, pad, pad)
        setBackgroundColor(Color.WHITE)
    }

    fun text(context: Context, value: String, sp: Float = TEXT_SP, color: Int = INK, bold: Boolean = false): TextView =
        TextView(context).apply {
            text = value
            setTextSize(TypedValue.COMPLEX_UNIT_SP, sp)
            setTextColor(color)
            if (bold) setTypeface(typeface, Typeface.BOLD)
        }

    fun button(context: Context, label: String, onClick: () -> Unit): Button = Button(context).apply {
        text = label
        isAllCaps = false
        setTextSize(TypedValue.COMPLEX_UNIT_SP, TEXT_SP)
        minHeight = dp(context, TOUCH_DP)
        minimumHeight = dp(context, TOUCH_DP)
        gravity = Gravity.CENTER
        setOnClickListener { onClick() }
    }

    fun <T : View> T.touchTarget(): T = apply {
        minimumHeight = dp(context, TOUCH_DP)
    }
}
