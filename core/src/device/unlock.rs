//! Offline unlock: a PIN that opens the app between online logins, for the user who set it.
//!
//! The PIN is kept only as an Argon2id hash, inside the encrypted store (so guessing it offline first needs the store
//! key, and a wipe removes it with everything else). Every attempt is counted in the store *before* the slow hash is
//! checked, so killing the app mid-attempt does not give the guess back. After [`MAX_WRONG_PINS`] wrong PINs in a row
//! the PIN and the session tokens are dropped: the phone must log in online again (the server checks the password
//! and whether the device was reported lost), and the unsent visits stay. See docs/design-notes.md, "Offline unlock".

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use rand::RngCore;
use rusqlite::{Connection, OptionalExtension, params};

use super::Device;
use super::error::{DeviceError, Result};

/// Wrong PINs in a row before the phone must log in online again. A security setting of the app, not a rule of
/// social assistance; five is what phone lock screens allow before they start making the owner wait.
pub const MAX_WRONG_PINS: u32 = 5;
/// PINs are exactly this many digits (the PIN pad has no letters).
pub const PIN_LEN: usize = 6;

const PIN_HASH: &str = "unlock_pin_hash";
const PIN_USER: &str = "unlock_pin_user";
const PIN_FAILURES: &str = "unlock_pin_failures";

/// Argon2id with OWASP's smallest recommended memory (19 MiB, 2 passes, 1 lane): about a tenth of a second on a
/// cheap phone, and slow enough that the million six-digit PINs cannot be tried quickly even with the store key.
fn hasher() -> Result<Argon2<'static>> {
    let params = Params::new(19 * 1024, 2, 1, None).map_err(|e| DeviceError::Storage(format!("argon2 parameters: {e}")))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// What the app shows at start-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnlockState {
    /// No session on this phone (never logged in, logged out, locked out): the login screen.
    NeedsLogin,
    /// Logged in but no PIN for this user yet: ask for a new PIN (twice).
    NeedsPin,
    /// A PIN is set: the PIN pad (or the phone's biometric prompt).
    Locked { attempts_left: u32 },
}

/// The result of one PIN attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnlockOutcome {
    Unlocked,
    WrongPin {
        attempts_left: u32,
    },
    /// That was the last attempt: PIN and session are gone, log in online again. Local work stays.
    LockedOut,
}

impl UnlockOutcome {
    /// What the PIN pad says, in Chinese.
    pub fn message_zh(&self) -> String {
        match self {
            Self::Unlocked => "已解锁".into(),
            Self::WrongPin { attempts_left } => format!("PIN 码错误，还可尝试 {attempts_left} 次"),
            Self::LockedOut => format!("PIN 码连续错误 {MAX_WRONG_PINS} 次，请联网重新登录（本机未提交的调查不会丢失）"),
        }
    }
}

/// Refuses PINs that are guessed first: wrong length, not digits, one digit repeated, a straight run.
pub fn check_new_pin(pin: &str) -> Result<()> {
    let digits: Vec<u8> = pin.bytes().collect();
    if digits.len() != PIN_LEN || !digits.iter().all(u8::is_ascii_digit) {
        return Err(DeviceError::invalid("pin", format!("PIN 码应为 {PIN_LEN} 位数字")));
    }
    if digits.iter().all(|d| *d == digits[0]) {
        return Err(DeviceError::invalid("pin", "PIN 码不能全部是同一个数字"));
    }
    let steps: Vec<i16> = digits.windows(2).map(|w| i16::from(w[1]) - i16::from(w[0])).collect();
    if steps.iter().all(|s| *s == 1) || steps.iter().all(|s| *s == -1) {
        return Err(DeviceError::invalid("pin", "PIN 码不能是连续的数字，如 123456"));
    }
    Ok(())
}

fn meta(conn: &Connection, key: &str) -> Result<Option<String>> {
    Ok(conn.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0)).optional()?)
}

fn set_meta(conn: &Connection, key: &str, value: &str) -> Result<()> {
    conn.execute("INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value", params![key, value])?;
    Ok(())
}

fn session_user(conn: &Connection) -> Result<Option<String>> {
    Ok(conn.query_row("SELECT user_id FROM session WHERE id = 1", [], |r| r.get(0)).optional()?)
}

fn failures(conn: &Connection) -> Result<u32> {
    Ok(meta(conn, PIN_FAILURES)?.and_then(|f| f.parse().ok()).unwrap_or(0))
}

/// The PIN hash of the logged-in user, if there is a session and that user set the PIN.
fn pin_of_session(conn: &Connection) -> Result<Option<String>> {
    let Some(user) = session_user(conn)? else { return Ok(None) };
    if meta(conn, PIN_USER)?.as_deref() != Some(user.as_str()) {
        return Ok(None);
    }
    meta(conn, PIN_HASH)
}

fn state(conn: &Connection) -> Result<UnlockState> {
    if session_user(conn)?.is_none() {
        return Ok(UnlockState::NeedsLogin);
    }
    if pin_of_session(conn)?.is_none() {
        return Ok(UnlockState::NeedsPin);
    }
    Ok(UnlockState::Locked { attempts_left: MAX_WRONG_PINS.saturating_sub(failures(conn)?) })
}

/// Drops the PIN and the session tokens in one transaction: only an online login opens the phone again.
fn lock_out(conn: &mut Connection) -> Result<()> {
    let tx = conn.transaction()?;
    tx.execute("DELETE FROM meta WHERE key IN (?1, ?2, ?3)", params![PIN_HASH, PIN_USER, PIN_FAILURES])?;
    tx.execute("DELETE FROM session", [])?;
    tx.commit()?;
    Ok(())
}

impl Device {
    pub fn unlock_state(&self) -> Result<UnlockState> {
        self.with_conn(|conn, _| state(conn))
    }

    /// Sets (or replaces) the PIN of the logged-in user. Needs a session: right after an online login, or once
    /// unlocked.
    pub fn set_pin(&self, pin: &str) -> Result<()> {
        check_new_pin(pin)?;
        let user = self.with_conn(|conn, _| session_user(conn))?.ok_or(DeviceError::NotLoggedIn)?;
        let mut salt = [0u8; 16];
        rand::rngs::OsRng.fill_bytes(&mut salt);
        let salt = SaltString::encode_b64(&salt).map_err(|e| DeviceError::Storage(format!("salt: {e}")))?;
        // Hashed outside the store's lock: other calls need not wait for Argon2.
        let hash = hasher()?.hash_password(pin.as_bytes(), &salt).map_err(|e| DeviceError::Storage(format!("argon2: {e}")))?.to_string();
        self.with_conn(|conn, _| {
            let tx = conn.transaction()?;
            set_meta(&tx, PIN_HASH, &hash)?;
            set_meta(&tx, PIN_USER, &user)?;
            set_meta(&tx, PIN_FAILURES, "0")?;
            tx.commit()?;
            Ok(())
        })
    }

    /// One PIN attempt. The attempt is committed as a failure first and cleared only when the PIN is right.
    pub fn unlock_with_pin(&self, pin: &str) -> Result<UnlockOutcome> {
        let (hash, attempt) = self.with_conn(|conn, _| {
            let Some(hash) = pin_of_session(conn)? else {
                return Err(match state(conn)? {
                    UnlockState::NeedsLogin => DeviceError::NotLoggedIn,
                    _ => DeviceError::invalid("pin", "尚未设置 PIN 码"),
                });
            };
            let attempt = failures(conn)? + 1;
            set_meta(conn, PIN_FAILURES, &attempt.to_string())?;
            Ok((hash, attempt))
        })?;
        let parsed = PasswordHash::new(&hash).map_err(|e| DeviceError::Storage(format!("stored PIN hash: {e}")))?;
        let right = hasher()?.verify_password(pin.as_bytes(), &parsed).is_ok();
        self.with_conn(|conn, _| {
            if right {
                set_meta(conn, PIN_FAILURES, "0")?;
                Ok(UnlockOutcome::Unlocked)
            } else if attempt >= MAX_WRONG_PINS {
                lock_out(conn)?;
                Ok(UnlockOutcome::LockedOut)
            } else {
                Ok(UnlockOutcome::WrongPin { attempts_left: MAX_WRONG_PINS - attempt })
            }
        })
    }

    /// The platform confirmed the phone's owner with a biometric (Android BiometricPrompt, Face ID). Allowed only
    /// where the PIN pad would be: a PIN set and attempts left, so a biometric never bypasses a lock-out.
    pub fn unlocked_by_biometric(&self) -> Result<()> {
        self.with_conn(|conn, _| match state(conn)? {
            UnlockState::Locked { attempts_left } if attempts_left > 0 => set_meta(conn, PIN_FAILURES, "0"),
            UnlockState::NeedsLogin => Err(DeviceError::NotLoggedIn),
            _ => Err(DeviceError::invalid("pin", "请先设置 PIN 码")),
        })
    }

    /// "Forgot the PIN": the same as running out of attempts, on purpose. The next step is an online login.
    pub fn forget_pin(&self) -> Result<()> {
        self.with_conn(|conn, _| lock_out(conn))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::device::tests::config;

    const USER: &str = "0b7a7c1e-1111-4222-8333-944445555666";

    fn logged_in(dir: &std::path::Path, user: &str) -> Device {
        let device = Device::open(config(dir)).unwrap();
        device
            .with_conn(|conn, _| {
                conn.execute(
                    "INSERT INTO session (id, user_id, user_json, access_token, access_expires_at, refresh_token, refresh_expires_at, logged_in_at)
                     VALUES (1, ?1, '{}', 'a', '2030-01-01T00:00:00Z', 'r', '2030-01-01T00:00:00Z', '2026-01-01T00:00:00Z')
                     ON CONFLICT (id) DO UPDATE SET user_id = excluded.user_id",
                    [user],
                )?;
                Ok(())
            })
            .unwrap();
        device
    }

    #[test]
    fn weak_or_malformed_pins_are_refused_in_chinese() {
        for (pin, message) in [
            ("12345", "PIN 码应为 6 位数字"),
            ("12a456", "PIN 码应为 6 位数字"),
            ("１２３４５６", "PIN 码应为 6 位数字"),
            ("000000", "PIN 码不能全部是同一个数字"),
            ("123456", "PIN 码不能是连续的数字，如 123456"),
            ("987654", "PIN 码不能是连续的数字，如 123456"),
        ] {
            assert_eq!(check_new_pin(pin), Err(DeviceError::invalid("pin", message)), "{pin}");
        }
        assert_eq!(check_new_pin("270419"), Ok(()));
    }

    #[test]
    fn the_right_pin_unlocks_and_the_pin_is_not_stored_in_clear() {
        let dir = tempfile::tempdir().unwrap();
        let device = logged_in(dir.path(), USER);
        assert_eq!(device.unlock_state().unwrap(), UnlockState::NeedsPin);
        assert_eq!(device.unlock_with_pin("270419"), Err(DeviceError::invalid("pin", "尚未设置 PIN 码")));
        device.set_pin("270419").unwrap();
        assert_eq!(device.unlock_state().unwrap(), UnlockState::Locked { attempts_left: MAX_WRONG_PINS });
        let stored = device.with_conn(|conn, _| meta(conn, PIN_HASH)).unwrap().unwrap();
        assert!(stored.starts_with("$argon2id$") && !stored.contains("270419"), "{stored}");
        assert_eq!(device.unlock_with_pin("270419").unwrap(), UnlockOutcome::Unlocked);
    }

    #[test]
    fn wrong_pins_count_down_survive_a_restart_and_end_in_an_online_login() {
        let dir = tempfile::tempdir().unwrap();
        let device = logged_in(dir.path(), USER);
        device.set_pin("270419").unwrap();
        assert_eq!(device.unlock_with_pin("111112").unwrap(), UnlockOutcome::WrongPin { attempts_left: 4 });
        assert_eq!(UnlockOutcome::WrongPin { attempts_left: 4 }.message_zh(), "PIN 码错误，还可尝试 4 次");
        assert_eq!(device.unlock_with_pin("111113").unwrap(), UnlockOutcome::WrongPin { attempts_left: 3 });
        // Killing the app does not give the attempts back.
        drop(device);
        let device = Device::open(config(dir.path())).unwrap();
        assert_eq!(device.unlock_state().unwrap(), UnlockState::Locked { attempts_left: 3 });
        // The right PIN resets the count.
        assert_eq!(device.unlock_with_pin("270419").unwrap(), UnlockOutcome::Unlocked);
        assert_eq!(device.unlock_state().unwrap(), UnlockState::Locked { attempts_left: MAX_WRONG_PINS });
        for left in (1..MAX_WRONG_PINS).rev() {
            assert_eq!(device.unlock_with_pin("000001").unwrap(), UnlockOutcome::WrongPin { attempts_left: left });
        }
        assert_eq!(device.unlock_with_pin("000001").unwrap(), UnlockOutcome::LockedOut);
        // Locked out: not even the right PIN or a biometric opens the phone; the session is gone.
        assert_eq!(device.unlock_state().unwrap(), UnlockState::NeedsLogin);
        assert_eq!(device.unlock_with_pin("270419"), Err(DeviceError::NotLoggedIn));
        assert_eq!(device.unlocked_by_biometric(), Err(DeviceError::NotLoggedIn));
        assert!(device.session().unwrap().is_none());
    }

    #[test]
    fn an_attempt_is_counted_before_the_pin_is_checked() {
        let dir = tempfile::tempdir().unwrap();
        let device = logged_in(dir.path(), USER);
        device.set_pin("270419").unwrap();
        // What a kill during the Argon2 check leaves behind: the first half of an attempt, committed.
        device.with_conn(|conn, _| set_meta(conn, PIN_FAILURES, "1")).unwrap();
        assert_eq!(device.unlock_with_pin("111112").unwrap(), UnlockOutcome::WrongPin { attempts_left: 3 });
    }

    #[test]
    fn a_pin_belongs_to_the_user_who_set_it() {
        let dir = tempfile::tempdir().unwrap();
        logged_in(dir.path(), USER).set_pin("270419").unwrap();
        let other = logged_in(dir.path(), "0b7a7c1e-9999-4222-8333-944445555666");
        assert_eq!(other.unlock_state().unwrap(), UnlockState::NeedsPin);
    }

    #[test]
    fn a_biometric_unlocks_only_where_the_pin_pad_would() {
        let dir = tempfile::tempdir().unwrap();
        let device = logged_in(dir.path(), USER);
        assert_eq!(device.unlocked_by_biometric(), Err(DeviceError::invalid("pin", "请先设置 PIN 码")));
        device.set_pin("270419").unwrap();
        device.unlock_with_pin("111112").unwrap();
        device.unlocked_by_biometric().unwrap();
        assert_eq!(device.unlock_state().unwrap(), UnlockState::Locked { attempts_left: MAX_WRONG_PINS });
        device.forget_pin().unwrap();
        assert_eq!(device.unlock_state().unwrap(), UnlockState::NeedsLogin);
    }
}
