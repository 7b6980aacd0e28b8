package cn.ruhu.app

import cn.ruhu.mobile.PinResult
import cn.ruhu.mobile.RuhuException
import cn.ruhu.mobile.UnlockStep
import cn.ruhu.mobile.checkNewPin

/**
 * The PIN pad's model: which step it is on (choose a PIN twice, or enter it), the digits typed so far and the
 * Chinese message under the dots. The rules (PIN form, hash, attempt count, lock-out) are the core's; this only
 * collects digits and says what happened.
 */
class UnlockController(private val session: RuhuSession) {
    /** What the screen does next. */
    enum class Next { STAY, UNLOCKED, LOGIN }

    private var firstChoice: String? = null

    var step: UnlockStep = UnlockStep.LOGIN
        private set
    var entered: String = ""
        private set
    var message: String? = null
        private set

    /** True when [message] is a refusal (shown in red), false for guidance. */
    var messageIsError: Boolean = false
        private set
    var pinLength: Int = 6
        private set

    init {
        reload()
    }

    val title: String
        get() = when (step) {
            UnlockStep.LOGIN -> "请联网登录"
            UnlockStep.CHOOSE_PIN -> if (firstChoice == null) "请设置 $pinLength 位 PIN 码" else "请再次输入 PIN 码"
            UnlockStep.ENTER_PIN -> "请输入 PIN 码"
        }

    /** Dots for the typed digits: ●●●○○○. */
    val dots: String get() = "●".repeat(entered.length) + "○".repeat(pinLength - entered.length)

    /** Biometrics stand in for the PIN only where the PIN pad would be shown. */
    val biometricAllowed: Boolean get() = step == UnlockStep.ENTER_PIN

    /** The next digit completes the PIN and sends it to the slow (Argon2) check: run [digit] off the UI thread. */
    val nextDigitSubmits: Boolean get() = step != UnlockStep.LOGIN && entered.length == pinLength - 1

    fun digit(d: Int): Next {
        require(d in 0..9)
        if (step == UnlockStep.LOGIN || entered.length >= pinLength) return nextAfterState()
        entered += d
        return if (entered.length == pinLength) submit(entered.also { entered = "" }) else Next.STAY
    }

    fun delete() {
        entered = entered.dropLast(1)
    }

    /** The platform's biometric prompt recognised the owner. */
    fun biometricSucceeded(): Next = guarded {
        session.device.unlockedByBiometric()
        Next.UNLOCKED
    }

    /** 忘记 PIN 码: the PIN and the session go, the next step is an online login; local work stays. */
    fun forgotPin(): Next = guarded {
        session.device.forgetPin()
        session.sessionEnded()
        reload()
        Next.LOGIN
    }

    private fun submit(pin: String): Next = guarded {
        when (step) {
            UnlockStep.LOGIN -> Next.LOGIN
            UnlockStep.CHOOSE_PIN -> choose(pin)
            UnlockStep.ENTER_PIN -> enter(pin)
        }
    }

    private fun choose(pin: String): Next {
        val first = firstChoice
        if (first == null) {
            checkNewPin(pin)
            firstChoice = pin
            say("请再输入一次，确认 PIN 码", error = false)
            return Next.STAY
        }
        firstChoice = null
        if (first != pin) {
            say("两次输入的 PIN 码不一致，请重新设置", error = true)
            return Next.STAY
        }
        session.device.setPin(pin)
        return Next.UNLOCKED
    }

    private fun enter(pin: String): Next {
        val attempt = session.device.unlockWithPin(pin)
        return when (attempt.result) {
            PinResult.UNLOCKED -> Next.UNLOCKED
            PinResult.WRONG_PIN -> {
                say(attempt.message, error = true)
                Next.STAY
            }
            PinResult.LOCKED_OUT -> {
                session.sessionEnded()
                reload()
                say(attempt.message, error = true)
                Next.LOGIN
            }
        }
    }

    private fun reload() {
        val status = session.device.unlockStatus()
        step = status.step
        pinLength = status.pinLength.toInt()
        entered = ""
        firstChoice = null
    }

    private fun nextAfterState(): Next = if (step == UnlockStep.LOGIN) Next.LOGIN else Next.STAY

    private fun say(text: String, error: Boolean) {
        message = text
        messageIsError = error
    }

    private inline fun guarded(block: () -> Next): Next =
        try {
            block()
        } catch (e: RuhuException) {
            say(e.userMessage(), error = true)
            if (e is RuhuException.NotLoggedIn || e is RuhuException.Revoked) {
                session.sessionEnded()
                reload()
                Next.LOGIN
            } else {
                Next.STAY
            }
        }
}
