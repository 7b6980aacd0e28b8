//! Access tokens: HS256 JWTs, algorithm pinned, `exp`/`aud`/`iss` checked. The signing key lives in the data dir
//! (replicas behind one load balancer must share it).

use std::{io::Write, path::Path, time::Duration};

use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, errors::ErrorKind};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::store::error::{Error, Result};

pub const AUDIENCE: &str = "ruhu-api";
pub const ISSUER: &str = "ruhu-server";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AccessClaims {
    /// User id.
    pub sub: String,
    /// Device id (the server's row id of the registered device).
    pub did: String,
    /// Login session id.
    pub sid: String,
    pub aud: String,
    pub iss: String,
    pub exp: i64,
    pub iat: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenError {
    Expired,
    Invalid,
}

pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
}

impl JwtKeys {
    pub fn from_secret(secret: &[u8]) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_audience(&[AUDIENCE]);
        validation.set_issuer(&[ISSUER]);
        validation.set_required_spec_claims(&["exp", "aud", "iss", "sub"]);
        // Only this server issues and checks these tokens, so there is no clock skew to allow for.
        validation.leeway = 0;
        // Expiry is checked against the server's clock in `verify` (the library would read the system clock).
        validation.validate_exp = false;
        Self { encoding: EncodingKey::from_secret(secret), decoding: DecodingKey::from_secret(secret), validation }
    }

    /// Reads the key file, or creates it (32 random bytes, hex, mode 0600) on first start.
    pub fn load_or_create(path: &Path) -> Result<Self> {
        match std::fs::read_to_string(path) {
            Ok(text) => return Self::from_file_text(&text, path),
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e.into()),
            Err(_) => {}
        }
        let mut secret = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut secret);
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        match options.open(path) {
            Ok(mut f) => {
                f.write_all(hex::encode(secret).as_bytes())?;
                f.sync_all()?;
                Ok(Self::from_secret(&secret))
            }
            // Another process created it first: use theirs.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Self::from_file_text(&std::fs::read_to_string(path)?, path),
            Err(e) => Err(e.into()),
        }
    }

    fn from_file_text(text: &str, path: &Path) -> Result<Self> {
        let secret = hex::decode(text.trim()).map_err(|_| Error::Config(format!("{} is not a hex key", path.display())))?;
        if secret.len() < 32 {
            return Err(Error::Config(format!("{} holds a key shorter than 256 bits", path.display())));
        }
        Ok(Self::from_secret(&secret))
    }

    pub fn issue(&self, user: Uuid, device: Uuid, session: Uuid, ttl: Duration, now: DateTime<Utc>) -> Result<(String, DateTime<Utc>)> {
        let exp = now + chrono::Duration::from_std(ttl).map_err(|e| Error::Config(e.to_string()))?;
        let claims = AccessClaims {
            sub: user.to_string(),
            did: device.to_string(),
            sid: session.to_string(),
            aud: AUDIENCE.into(),
            iss: ISSUER.into(),
            exp: exp.timestamp(),
            iat: now.timestamp(),
        };
        let token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)?;
        let exp = DateTime::from_timestamp(claims.exp, 0).unwrap_or(exp);
        Ok((token, exp))
    }

    /// The claims of a token this server signed that has not expired at `now`.
    pub fn verify(&self, token: &str, now: DateTime<Utc>) -> Result<AccessClaims, TokenError> {
        match jsonwebtoken::decode::<AccessClaims>(token, &self.decoding, &self.validation) {
            Ok(data) if data.claims.exp < now.timestamp() => Err(TokenError::Expired),
            Ok(data) => Ok(data.claims),
            Err(e) if matches!(e.kind(), ErrorKind::ExpiredSignature) => Err(TokenError::Expired),
            Err(_) => Err(TokenError::Invalid),
        }
    }
}
