package cn.ruhu.app.ui

import android.os.Looper
import android.view.View
import android.view.ViewGroup
import android.widget.TextView
import org.robolectric.Shadows.shadowOf

/** Every view under [root], depth first. */
fun allViews(root: View): List<View> =
    listOf(root) + ((root as? ViewGroup)?.let { g -> (0 until g.childCount).flatMap { allViews(g.getChildAt(it)) } } ?: emptyList())

/** The texts a user sees under [root] (labels, buttons, boxes), visible ones only. */
fun shownTexts(root: View): List<String> =
    allViews(root).filter { it.isShown }.filterIsInstance<TextView>().map { it.text.toString() }

inline fun <reified T : View> View.byTag(tag: String): T =
    findViewWithTag<T>(tag) ?: throw AssertionError("no view tagged $tag; texts: ${shownTexts(this)}")

/** Runs what is posted to the main thread (renders, layout). */
fun idle() = shadowOf(Looper.getMainLooper()).idle()
