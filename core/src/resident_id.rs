//! Resident ID numbers (公民身份号码, GB 11643-1999): 18 characters, ISO 7064 MOD 11-2 check digit.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Why an ID number was refused. `code()` is stable for programs; `message_zh()` is for people.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResidentIdError {
    #[error("resident id must have 18 characters, got {0}")]
    Length(usize),
    #[error("resident id has an invalid character at position {0}")]
    Character(usize),
    #[error("resident id has an impossible birth date")]
    BirthDate,
    #[error("resident id check digit does not match")]
    CheckDigit,
}

impl ResidentIdError {
    pub fn code(&self) -> &'static str {
        "invalid_resident_id"
    }
    pub fn message_zh(&self) -> String {
        match self {
            Self::Length(n) => format!("身份证号应为18位，当前为{n}位"),
            Self::Character(p) => format!("身份证号第{}位字符无效", p + 1),
            Self::BirthDate => "身份证号中的出生日期无效".to_string(),
            Self::CheckDigit => "身份证号校验位不正确，请核对".to_string(),
        }
    }
}

/// A validated, normalised (upper-case X) resident ID number.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ResidentId(String);

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARS: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

/// The check character for the first 17 digits.
pub fn check_char(first17: &[u8]) -> char {
    let sum: u32 = first17.iter().zip(WEIGHTS).map(|(d, w)| u32::from(d - b'0') * w).sum();
    CHECK_CHARS[(sum % 11) as usize]
}

impl ResidentId {
    pub fn parse(raw: &str) -> Result<Self, ResidentIdError> {
        let normalised: String = raw.trim().to_uppercase();
        let chars: Vec<char> = normalised.chars().collect();
        if chars.len() != 18 {
            return Err(ResidentIdError::Length(chars.len()));
        }
        for (i, c) in chars.iter().enumerate() {
            let ok = c.is_ascii_digit() || (i == 17 && *c == 'X');
            if !ok {
                return Err(ResidentIdError::Character(i));
            }
        }
        let bytes = normalised.as_bytes();
        let birth = parse_birth(&normalised[6..14]).ok_or(ResidentIdError::BirthDate)?;
        if birth < NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or_default() {
            return Err(ResidentIdError::BirthDate);
        }
        if check_char(&bytes[..17]) != chars[17] {
            return Err(ResidentIdError::CheckDigit);
        }
        Ok(Self(normalised))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `5201**********123X`: the form lists and notices show (first 4, last 4).
    pub fn masked(&self) -> String {
        mask(&self.0)
    }

    pub fn birth_date(&self) -> NaiveDate {
        parse_birth(&self.0[6..14]).unwrap_or_default()
    }

    /// 1 male, 2 female (the 17th digit's parity).
    pub fn is_male(&self) -> bool {
        (self.0.as_bytes()[16] - b'0') % 2 == 1
    }

    /// Age in whole years on `on`.
    pub fn age_on(&self, on: NaiveDate) -> u32 {
        use chrono::Datelike;
        let b = self.birth_date();
        let mut age = on.year() - b.year();
        if (on.month(), on.day()) < (b.month(), b.day()) {
            age -= 1;
        }
        age.max(0) as u32
    }
}

/// Masks anything that looks like an ID number; short input is masked whole.
pub fn mask(raw: &str) -> String {
    let chars: Vec<char> = raw.chars().collect();
    if chars.len() < 9 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..4].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 8))
}

fn parse_birth(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y%m%d").ok()
}

impl std::fmt::Debug for ResidentId {
    // Debug output lands in logs: never print the full number.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ResidentId({})", self.masked())
    }
}

impl TryFrom<String> for ResidentId {
    type Error = ResidentIdError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<ResidentId> for String {
    fn from(value: ResidentId) -> Self {
        value.0
    }
}

/// Builds a valid ID from a 6-digit area code, a birth date and a 3-digit sequence (demo data and tests).
pub fn make_resident_id(area: &str, birth: NaiveDate, seq: u16) -> ResidentId {
    let first17 = format!("{area}{}{:03}", birth.format("%Y%m%d"), seq % 1000);
    let c = check_char(first17.as_bytes());
    ResidentId(format!("{first17}{c}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_standard_example_and_lowercase_x() {
        // The worked example of GB 11643-1999.
        let id = ResidentId::parse("11010519491231002X").expect("valid");
        assert_eq!(id.birth_date(), NaiveDate::from_ymd_opt(1949, 12, 31).unwrap());
        assert!(!id.is_male());
        assert_eq!(ResidentId::parse("11010519491231002x").unwrap().as_str(), "11010519491231002X");
    }

    #[test]
    fn refuses_wrong_check_digit_length_chars_and_dates() {
        assert_eq!(ResidentId::parse("110105194912310021"), Err(ResidentIdError::CheckDigit));
        assert_eq!(ResidentId::parse("1101051949123100"), Err(ResidentIdError::Length(16)));
        assert_eq!(ResidentId::parse("1101051949123100A2"), Err(ResidentIdError::Character(16)));
        assert_eq!(ResidentId::parse("110105194913310028").unwrap_err(), ResidentIdError::BirthDate);
    }

    #[test]
    fn masks_for_lists_and_age_from_birth() {
        let id = make_resident_id("520111", NaiveDate::from_ymd_opt(1960, 5, 20).unwrap(), 123);
        assert!(ResidentId::parse(id.as_str()).is_ok());
        let m = id.masked();
        assert!(m.starts_with("5201") && m.contains("**********") && m.len() == 18);
        assert_eq!(id.age_on(NaiveDate::from_ymd_opt(2026, 5, 19).unwrap()), 65);
        assert_eq!(id.age_on(NaiveDate::from_ymd_opt(2026, 5, 20).unwrap()), 66);
        assert!(!format!("{id:?}").contains(&id.as_str()[6..14]));
    }
}
