package cn.ruhu.app

import java.net.URI

/** The login screen's three boxes, checked before anything goes to the network. */
data class LoginForm(val serverAddress: String, val username: String, val password: String) {
    sealed interface Check {
        /** [serverUrl] is normalised: scheme included, no trailing slash, no "/api/v1". */
        data class Ready(val serverUrl: String, val username: String, val password: String) : Check
        data class Problem(val field: Field, val message: String) : Check
    }

    enum class Field { SERVER, USERNAME, PASSWORD }

    fun check(): Check {
        val address = serverAddress.trim().removeSuffix("/").removeSuffix("/api/v1").removeSuffix("/")
        if (address.isEmpty()) return Check.Problem(Field.SERVER, "请填写服务器地址")
        val url = if ("://" in address) address else "https://$address"
        val uri = runCatching { URI(url) }.getOrNull()
        if (uri == null || uri.scheme !in setOf("http", "https") || uri.host.isNullOrEmpty()) {
            return Check.Problem(Field.SERVER, "服务器地址格式不正确，例如 https://ruhu.huaxi.gov.cn")
        }
        if (username.isBlank()) return Check.Problem(Field.USERNAME, "请填写用户名")
        if (password.isEmpty()) return Check.Problem(Field.PASSWORD, "请填写密码")
        return Check.Ready(url, username.trim(), password)
    }
}
