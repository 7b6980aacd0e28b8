//! Server configuration: where it listens, where it keeps data, how long tokens live, how big bodies may be.

use std::{net::SocketAddr, path::PathBuf, time::Duration};

use ruhu_core::time::Clock;

#[derive(Debug, Clone)]
pub struct ServerConfig {
    pub listen: SocketAddr,
    /// Holds the SQLite database (by default), the JWT signing key, blobs and partial uploads.
    pub data_dir: PathBuf,
    /// `sqlite://…` or `postgres://…`; None means the SQLite file `<data_dir>/ruhu.db`.
    pub database_url: Option<String>,
    /// Seed the clearly marked demo org units, accounts and households on start.
    pub demo: bool,
    /// The district policy file (TOML, docs/policy.md); None means Huaxi's bundled policy.
    pub policy_file: Option<PathBuf>,
    pub access_token_ttl: Duration,
    pub refresh_token_ttl: Duration,
    /// How long after a refresh token was rotated it may be presented again (the reply was lost) without being
    /// treated as stolen, provided its successor has not been used yet.
    pub refresh_grace: Duration,
    /// Largest JSON request body.
    pub json_body_limit: usize,
    /// Largest tus PATCH chunk.
    pub upload_chunk_limit: usize,
    /// Largest whole upload (advertised as Tus-Max-Size).
    pub upload_max_size: u64,
    /// Unfinished uploads are discarded after this long (tus expiration extension).
    pub upload_expiry: Duration,
    /// Map tiles for the console's visit map; None draws a plain schematic (nothing is fetched from elsewhere).
    pub map_tiles: Option<MapTiles>,
    /// What a working-day deadline in a year whose holiday schedule is not loaded becomes (docs/policy.md).
    pub unloaded_years: UnloadedYears,
    /// Where "now" and "today" come from: the system clock, or (a test build) the one the test run set.
    pub clock: Clock,
}

/// A working-day deadline that needs a year whose official holiday schedule is not loaded yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UnloadedYears {
    /// Computed from weekends and the statutory holidays, marked 暂定, recomputed once the year is loaded.
    #[default]
    Provisional,
    /// Not computed: the step is listed without a due date and with the reason, until the year is loaded.
    Refuse,
}

impl UnloadedYears {
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "provisional" => Some(Self::Provisional),
            "refuse" => Some(Self::Refuse),
            _ => None,
        }
    }
}

/// The datum a tile provider draws in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MapDatum {
    /// WGS-84 (also 天地图's CGCS2000, which matches it to within centimetres).
    Wgs84,
    /// GCJ-02 (e.g. AMap, Tencent).
    Gcj02,
}

impl MapDatum {
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "wgs84" | "wgs-84" | "cgcs2000" => Some(Self::Wgs84),
            "gcj02" | "gcj-02" => Some(Self::Gcj02),
            _ => None,
        }
    }
}

/// A slippy-map (Web Mercator, XYZ) tile provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MapTiles {
    /// `http(s)://host/…{z}…{x}…{y}…`, e.g. a 天地图 WMTS URL with its key.
    pub url_template: String,
    pub datum: MapDatum,
    /// `scheme://host[:port]` of the template: the only other place the console may load images from.
    pub origin: String,
}

impl MapTiles {
    /// Checks the template: http(s), a host, and the {z}, {x} and {y} placeholders.
    pub fn new(url_template: &str, datum: MapDatum) -> Result<Self, String> {
        let t = url_template.trim();
        let rest =
            t.strip_prefix("https://").or_else(|| t.strip_prefix("http://")).ok_or("map tiles: the URL must start with http:// or https://")?;
        let host = rest.split(['/', '?']).next().unwrap_or_default();
        if host.is_empty() || host.contains(['{', '}', ' ', '\'', '"']) {
            return Err("map tiles: the URL needs a host name".into());
        }
        for p in ["{z}", "{x}", "{y}"] {
            if !t.contains(p) {
                return Err(format!("map tiles: the URL template lacks {p}"));
            }
        }
        let scheme = if t.starts_with("https://") { "https" } else { "http" };
        Ok(Self { url_template: t.to_string(), datum, origin: format!("{scheme}://{host}") })
    }
}

impl ServerConfig {
    pub fn new(data_dir: impl Into<PathBuf>) -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: data_dir.into(),
            database_url: None,
            demo: false,
            policy_file: None,
            access_token_ttl: Duration::from_secs(15 * 60),
            refresh_token_ttl: Duration::from_secs(30 * 24 * 3600),
            refresh_grace: Duration::from_secs(60),
            json_body_limit: 2 * 1024 * 1024,
            upload_chunk_limit: 8 * 1024 * 1024,
            upload_max_size: 64 * 1024 * 1024,
            upload_expiry: Duration::from_secs(7 * 24 * 3600),
            map_tiles: None,
            unloaded_years: UnloadedYears::Provisional,
            clock: ruhu_core::time::process_clock(),
        }
    }

    /// The database URL actually used.
    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => format!("sqlite://{}?mode=rwc", self.data_dir.join("ruhu.db").display()),
        }
    }

    pub fn blob_dir(&self) -> PathBuf {
        self.data_dir.join("blobs")
    }

    pub fn upload_dir(&self) -> PathBuf {
        self.data_dir.join("uploads")
    }

    pub fn signing_key_path(&self) -> PathBuf {
        self.data_dir.join("jwt-signing.key")
    }
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self::new("ruhu-data")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tile_template_needs_a_host_and_all_three_placeholders() {
        let t = MapTiles::new("https://t0.tianditu.gov.cn/vec_w/wmts?TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=KEY", MapDatum::Wgs84).unwrap();
        assert_eq!(t.origin, "https://t0.tianditu.gov.cn");
        assert!(MapTiles::new("https://tiles.example/{z}/{x}.png", MapDatum::Wgs84).unwrap_err().contains("{y}"));
        assert!(MapTiles::new("ftp://tiles/{z}/{x}/{y}", MapDatum::Wgs84).is_err());
        assert!(MapTiles::new("http:///{z}/{x}/{y}", MapDatum::Wgs84).is_err());
        assert_eq!(MapDatum::parse("GCJ-02"), Some(MapDatum::Gcj02));
    }
}
