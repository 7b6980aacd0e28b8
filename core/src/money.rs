//! Money as people read it. Amounts are whole fen (分) everywhere in Ruhu; this is the one place they become yuan text.

/// `12345` → "¥123.45"; `-5` → "-¥0.05". No thousands separator: the same text in notices, explanations and errors.
pub fn yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let abs = fen.unsigned_abs();
    format!("{sign}¥{}.{:02}", abs / 100, abs % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fen_read_as_yuan() {
        assert_eq!(yuan(-5), "-¥0.05");
        assert_eq!(yuan(0), "¥0.00");
        assert_eq!(yuan(150_050), "¥1500.50");
        assert_eq!(yuan(i64::MIN), "-¥92233720368547758.08");
    }
}
