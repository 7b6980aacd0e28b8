package cn.ruhu.app

import kotlin.math.roundToLong

/** What the GPS slot says after a fix: accuracy, distance to the household's registered location, mock warning. */
object FixReport {
    /**
     * [distanceM] is the library's distance from the best *real* fix of the visit to the household (null when the
     * household has no registered location or no real fix was taken yet: mock fixes never count).
     */
    /** 350 米, 1.2 公里. */
    fun length(metres: Double): String =
        if (metres >= 1000) "%.1f 公里".format(java.util.Locale.ROOT, metres / 1000) else "${metres.roundToLong()} 米"

    fun describe(accuracyM: Double, distanceM: Double?, mock: Boolean): String = buildString {
        append("已定位，精度约 ${accuracyM.roundToLong()} 米")
        when {
            mock -> append("。警告：这是模拟位置，不能作为到户依据，已如实记录")
            distanceM == null -> append("；无法计算与该户登记位置的距离")
            else -> append("；距该户登记位置 ${length(distanceM)}")
        }
    }
}
