//! Exact rates and multiples (12 %, 30 %, 1.5 ×) as fractions of integers: money and sample sizes are never computed
//! with floating point.

use std::fmt;

use serde::{Deserialize, Serialize};

/// numerator / denominator, reduced, denominator > 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Ratio {
    numerator: u64,
    denominator: u64,
}

fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

impl Ratio {
    pub fn new(numerator: u64, denominator: u64) -> Option<Ratio> {
        if denominator == 0 {
            return None;
        }
        let g = gcd(numerator, denominator).max(1);
        Some(Ratio { numerator: numerator / g, denominator: denominator / g })
    }

    pub fn percent(p: u64) -> Ratio {
        Ratio::new(p, 100).unwrap_or(Ratio { numerator: 0, denominator: 1 })
    }

    /// Parses a plain decimal ("12", "1.5", "0.125") exactly; None for anything else (signs, exponents, > 6 decimals).
    pub fn parse_decimal(text: &str) -> Option<Ratio> {
        let text = text.trim();
        let (int, frac) = text.split_once('.').unwrap_or((text, ""));
        if int.is_empty() || frac.len() > 6 || !int.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        if text.ends_with('.') {
            return None;
        }
        let digits: u64 = format!("{int}{frac}").parse().ok()?;
        Ratio::new(digits, 10u64.checked_pow(frac.len() as u32)?)
    }

    pub fn numerator(self) -> u64 {
        self.numerator
    }

    pub fn denominator(self) -> u64 {
        self.denominator
    }

    /// Dividing the ratio (as a rate) by 100: "12" percent → 3/25.
    pub fn per_cent(self) -> Option<Ratio> {
        Ratio::new(self.numerator, self.denominator.checked_mul(100)?)
    }

    /// In basis points (1/10 000), rounded down: 12 % → 1200.
    pub fn basis_points(self) -> u64 {
        self.numerator.saturating_mul(10_000) / self.denominator
    }

    /// How many of `population` a sample at this rate must hold: rounded up, because the rules say "at least".
    pub fn sample_size(self, population: u64) -> u64 {
        let n = u128::from(population) * u128::from(self.numerator);
        let d = u128::from(self.denominator);
        u64::try_from(n.div_ceil(d)).unwrap_or(u64::MAX)
    }

    /// amount × ratio rounded down (a limit in fen that must not be exceeded).
    pub fn of_fen_floor(self, amount_fen: i64) -> i64 {
        let n = i128::from(amount_fen) * i128::from(self.numerator);
        i64::try_from(n.div_euclid(i128::from(self.denominator))).unwrap_or(i64::MAX)
    }

    /// value < base × ratio, exactly (no rounding).
    pub fn value_is_below(self, value: i64, base: i64) -> bool {
        i128::from(value) * i128::from(self.denominator) < i128::from(base) * i128::from(self.numerator)
    }

    pub fn is_zero(self) -> bool {
        self.numerator == 0
    }

    /// ≤ 1 (a share of a whole).
    pub fn is_at_most_one(self) -> bool {
        self.numerator <= self.denominator
    }
}

impl fmt::Display for Ratio {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.numerator, self.denominator)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_are_exact() {
        let twelve = Ratio::parse_decimal("12").unwrap().per_cent().unwrap();
        assert_eq!(twelve, Ratio::new(3, 25).unwrap());
        assert_eq!(twelve.basis_points(), 1200);
        assert_eq!(twelve.sample_size(100), 12);
        assert_eq!(twelve.sample_size(101), 13, "rounded up: at least 12 %");
        assert_eq!(twelve.sample_size(0), 0);
        let one_and_half = Ratio::parse_decimal("1.5").unwrap();
        assert_eq!(one_and_half, Ratio::new(3, 2).unwrap());
        assert_eq!(one_and_half.of_fen_floor(70_001), 105_001);
        assert!(one_and_half.value_is_below(104_999, 70_000) && !one_and_half.value_is_below(105_000, 70_000));
        for bad in ["", "1.", ".5", "-1", "1e3", "1,5", "0.1234567"] {
            assert!(Ratio::parse_decimal(bad).is_none(), "{bad:?}");
        }
    }
}
