//! Offline unlock as the apps see it: the PIN pad asks [`RuhuDevice::unlock_state`] what to show, sends each PIN to
//! [`RuhuDevice::unlock_with_pin`] and shows the Chinese message of the outcome. The PIN rules, the hash and the
//! attempt count are the core's (`ruhu_core::device::unlock`).

use ruhu_core::device::{MAX_WRONG_PINS, PIN_LEN, UnlockOutcome, UnlockState};

use crate::device::RuhuDevice;
use crate::error::RuhuError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum UnlockStep {
    /// No session on this phone: the login screen.
    Login,
    /// Logged in, no PIN for this user yet: choose a PIN.
    ChoosePin,
    /// The PIN pad (or the biometric prompt).
    EnterPin,
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct UnlockStatus {
    pub step: UnlockStep,
    pub attempts_left: u32,
    pub max_attempts: u32,
    pub pin_length: u32,
}

impl From<UnlockState> for UnlockStatus {
    fn from(s: UnlockState) -> Self {
        let (step, attempts_left) = match s {
            UnlockState::NeedsLogin => (UnlockStep::Login, 0),
            UnlockState::NeedsPin => (UnlockStep::ChoosePin, MAX_WRONG_PINS),
            UnlockState::Locked { attempts_left } => (UnlockStep::EnterPin, attempts_left),
        };
        Self { step, attempts_left, max_attempts: MAX_WRONG_PINS, pin_length: PIN_LEN as u32 }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum PinResult {
    Unlocked,
    WrongPin,
    /// The PIN and the session are gone: log in online again; unsent visits stay.
    LockedOut,
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct PinAttempt {
    pub result: PinResult,
    pub attempts_left: u32,
    /// "PIN 码错误，还可尝试 3 次", or the lock-out notice.
    pub message: String,
}

impl From<UnlockOutcome> for PinAttempt {
    fn from(o: UnlockOutcome) -> Self {
        let message = o.message_zh();
        let (result, attempts_left) = match o {
            UnlockOutcome::Unlocked => (PinResult::Unlocked, MAX_WRONG_PINS),
            UnlockOutcome::WrongPin { attempts_left } => (PinResult::WrongPin, attempts_left),
            UnlockOutcome::LockedOut => (PinResult::LockedOut, 0),
        };
        Self { result, attempts_left, message }
    }
}

/// Checks a new PIN's form before it is confirmed (length, digits, not 000000 or 123456); the message is Chinese.
#[uniffi::export]
pub fn check_new_pin(pin: String) -> Result<(), RuhuError> {
    Ok(ruhu_core::device::check_new_pin(&pin)?)
}

#[uniffi::export]
impl RuhuDevice {
    pub fn unlock_status(&self) -> Result<UnlockStatus, RuhuError> {
        Ok(self.engine().unlock_state()?.into())
    }

    /// Sets the logged-in user's PIN (kept only as an Argon2id hash inside the encrypted store).
    pub fn set_pin(&self, pin: String) -> Result<(), RuhuError> {
        Ok(self.engine().set_pin(&pin)?)
    }

    /// One attempt; counted before it is checked, so killing the app does not reset the count.
    pub fn unlock_with_pin(&self, pin: String) -> Result<PinAttempt, RuhuError> {
        Ok(self.engine().unlock_with_pin(&pin)?.into())
    }

    /// The platform's biometric prompt recognised the owner; refused when the PIN pad would not be shown.
    pub fn unlocked_by_biometric(&self) -> Result<(), RuhuError> {
        Ok(self.engine().unlocked_by_biometric()?)
    }

    /// "忘记 PIN 码": drops the PIN and the session; the next step is an online login. Local work stays.
    pub fn forget_pin(&self) -> Result<(), RuhuError> {
        Ok(self.engine().forget_pin()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_outcome_carries_the_pin_pads_chinese_message() {
        let wrong = PinAttempt::from(UnlockOutcome::WrongPin { attempts_left: 3 });
        assert_eq!((wrong.result, wrong.attempts_left, wrong.message.as_str()), (PinResult::WrongPin, 3, "PIN 码错误，还可尝试 3 次"));
        let out = PinAttempt::from(UnlockOutcome::LockedOut);
        assert_eq!(out.result, PinResult::LockedOut);
        assert!(out.message.contains("请联网重新登录"), "{}", out.message);
        assert!(matches!(check_new_pin("123456".into()), Err(RuhuError::Failed { message, .. }) if message == "PIN 码不能是连续的数字，如 123456"));
    }
}
