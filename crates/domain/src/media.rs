//! A file in the media store: pictures, lab stickers, documents.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MediaFile {
    /// Path under which the file is served, without leading slash
    /// (`labs/berlin.png` is served at `/labs/berlin.png`).
    pub path: String,
    pub content_type: String,
    /// Hex SHA-256 of the bytes: the ETag and the cache key.
    pub sha256: String,
    pub bytes: Vec<u8>,
}
