//! HTTP plumbing: the protocol header on every request, gzip'd responses, problem+json errors, counters.

use std::io::Read;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::time::Duration;

use reqwest::header::{ACCEPT, ACCEPT_ENCODING, AUTHORIZATION, CONTENT_ENCODING, HeaderMap};
use reqwest::{Method, RequestBuilder};
use serde::de::DeserializeOwned;

use super::error::{DeviceError, Result};
use crate::protocol::{PROTOCOL_HEADER, PROTOCOL_VERSION, Problem};

pub(crate) const API: &str = "/api/v1";

pub(crate) struct Http {
    client: reqwest::Client,
    base: String,
}

/// Counted per sync for the report.
#[derive(Default)]
pub(crate) struct Counters {
    pub round_trips: AtomicU32,
    pub bytes_received: AtomicU64,
}

pub(crate) struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Http {
    pub fn new(server_url: &str, app_version: &str) -> Result<Self> {
        let base = server_url.trim().trim_end_matches('/').to_string();
        match reqwest::Url::parse(&base) {
            Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => {}
            _ => return Err(DeviceError::invalid("server_url", "服务器地址无效")),
        }
        let client = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(20))
            // Per read, not per request: a slow village uplink may take long for a chunk but must keep moving.
            .read_timeout(Duration::from_secs(60))
            .user_agent(format!("ruhu-device/{app_version}"))
            .build()
            .map_err(|e| DeviceError::Network(format!("http client: {e}")))?;
        Ok(Self { client, base })
    }

    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        let url = if path.starts_with("http://") || path.starts_with("https://") { path.to_string() } else { format!("{}{path}", self.base) };
        self.client
            .request(method, url)
            .header(PROTOCOL_HEADER, PROTOCOL_VERSION.to_string())
            .header(ACCEPT_ENCODING, "gzip")
            .header(ACCEPT, "application/json, application/problem+json")
    }

    pub fn authed(&self, method: Method, path: &str, token: &str) -> RequestBuilder {
        self.request(method, path).header(AUTHORIZATION, format!("Bearer {token}"))
    }

    /// Absolute URL for a `Location` header the server returned (which may be relative).
    pub fn resolve(&self, location: &str) -> String {
        reqwest::Url::parse(&format!("{}/", self.base))
            .and_then(|u| u.join(location))
            .map(String::from)
            .unwrap_or_else(|_| format!("{}{location}", self.base))
    }

    /// Sends and reads the whole body. Any transport failure is `Network` (retryable).
    pub async fn send(&self, req: RequestBuilder, counters: &Counters) -> Result<Reply> {
        counters.round_trips.fetch_add(1, Ordering::Relaxed);
        let resp = req.send().await.map_err(network)?;
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let raw = resp.bytes().await.map_err(network)?;
        counters.bytes_received.fetch_add(raw.len() as u64, Ordering::Relaxed);
        let gzipped = headers.get(CONTENT_ENCODING).and_then(|v| v.to_str().ok()).is_some_and(|v| v.eq_ignore_ascii_case("gzip"));
        let body = if gzipped {
            let mut out = Vec::new();
            flate2::read::GzDecoder::new(&raw[..]).read_to_end(&mut out).map_err(|e| DeviceError::Network(format!("gzip body: {e}")))?;
            out
        } else {
            raw.to_vec()
        };
        Ok(Reply { status, headers, body })
    }
}

fn network(e: reqwest::Error) -> DeviceError {
    DeviceError::Network(e.to_string())
}

impl Reply {
    pub fn ok(&self) -> bool {
        (200..300).contains(&self.status)
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn json<T: DeserializeOwned>(&self) -> Result<T> {
        serde_json::from_slice(&self.body).map_err(|e| DeviceError::Server {
            status: self.status,
            code: "bad_response".into(),
            message: format!("服务器返回的数据无法识别（{e}）"),
        })
    }

    /// The server's problem+json, or a stand-in when the body is not one (a proxy's HTML page, say).
    pub fn problem(&self) -> Problem {
        serde_json::from_slice::<Problem>(&self.body).unwrap_or_else(|_| Problem {
            status: self.status,
            code: format!("http_{}", self.status),
            message: format!("服务器错误（{}），请稍后重试", self.status),
            field: None,
            details: None,
        })
    }

    pub fn error(&self) -> DeviceError {
        let p = self.problem();
        DeviceError::Server { status: self.status, code: p.code, message: p.message }
    }
}
