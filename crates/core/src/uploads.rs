//! Pictures uploaded in the browser: checked by their content (PNG, JPEG, GIF or WebP,
//! at most 5 MB), stored on disk under the upload directory by their SHA-256, so the
//! same picture is kept once and a stored file never changes.

use std::path::{Path, PathBuf};

use codefor_storage::{Db, uploads};
use sha2::{Digest, Sha256};

use crate::accounts::AccountError;
use crate::forms::FieldErrors;

pub const MAX_BYTES: usize = 5 * 1024 * 1024;

/// The picture formats accepted, recognised by their first bytes (never by the name
/// the browser sends). SVG is not among them: it can carry scripts.
pub fn sniff(bytes: &[u8]) -> Option<(&'static str, &'static str)> {
    if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        Some(("png", "image/png"))
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(("jpg", "image/jpeg"))
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some(("gif", "image/gif"))
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some(("webp", "image/webp"))
    } else {
        None
    }
}

/// Where a stored file lives: `<dir>/<first two hex digits>/<file>`; `None` for any
/// name that is not `<64 hex digits>.<png|jpg|gif|webp>`.
pub fn path_of(dir: &Path, file: &str) -> Option<PathBuf> {
    let (hash, ext) = file.split_once('.')?;
    let valid = hash.len() == 64
        && hash
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        && ["png", "jpg", "gif", "webp"].contains(&ext);
    valid.then(|| dir.join(&hash[..2]).join(file))
}

/// The content type of a stored file's name.
pub fn content_type(file: &str) -> &'static str {
    match file.rsplit('.').next() {
        Some("png") => "image/png",
        Some("jpg") => "image/jpeg",
        Some("gif") => "image/gif",
        Some("webp") => "image/webp",
        _ => "application/octet-stream",
    }
}

/// Checks and stores an upload; returns its file name (`<sha256>.<ext>`). The file is
/// written to a temporary name and renamed, so a reader never sees half a picture.
pub async fn store(
    db: &Db,
    dir: &Path,
    bytes: &[u8],
    account_id: Option<i64>,
) -> Result<String, AccountError> {
    if bytes.is_empty() {
        return Err(FieldErrors::one("file", "Bitte wähle ein Bild aus.").into());
    }
    if bytes.len() > MAX_BYTES {
        return Err(FieldErrors::one(
            "file",
            format!(
                "Das Bild ist {:.1} MB groß; erlaubt sind höchstens 5 MB. Verkleinere es bitte.",
                bytes.len() as f64 / 1_048_576.0
            ),
        )
        .into());
    }
    let Some((ext, content_type)) = sniff(bytes) else {
        return Err(FieldErrors::one(
            "file",
            "Das ist kein Bild in einem der erlaubten Formate (PNG, JPEG, GIF, WebP).",
        )
        .into());
    };
    let hash = crate::secrets::hex_digest(&Sha256::digest(bytes));
    let file = format!("{hash}.{ext}");
    let path = path_of(dir, &file).ok_or_else(|| AccountError::Io("file name".into()))?;
    if tokio::fs::metadata(&path).await.is_err() {
        let folder = path
            .parent()
            .ok_or_else(|| AccountError::Io("upload folder".into()))?;
        tokio::fs::create_dir_all(folder)
            .await
            .map_err(|e| AccountError::Io(format!("{}: {e}", folder.display())))?;
        let tmp = folder.join(format!(".{file}.{}", crate::secrets::random_token()?));
        tokio::fs::write(&tmp, bytes)
            .await
            .map_err(|e| AccountError::Io(format!("{}: {e}", tmp.display())))?;
        tokio::fs::rename(&tmp, &path)
            .await
            .map_err(|e| AccountError::Io(format!("{}: {e}", path.display())))?;
    }
    let mut tx = db.begin().await?;
    uploads::record(&mut tx, &file, content_type, bytes.len() as i64, account_id).await?;
    codefor_storage::commit(tx).await?;
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_pictures_by_content() {
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n....").map(|t| t.0), Some("png"));
        assert_eq!(sniff(b"\xff\xd8\xff\xe0").map(|t| t.0), Some("jpg"));
        assert_eq!(sniff(b"GIF89a..").map(|t| t.0), Some("gif"));
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 ").map(|t| t.0), Some("webp"));
        assert_eq!(sniff(b"<svg onload=alert(1)>"), None);
        assert_eq!(sniff(b"%PDF-1.7"), None);
    }

    #[test]
    fn only_stored_names_map_to_paths() {
        let dir = Path::new("/srv/uploads");
        let good = format!("{}.png", "a".repeat(64));
        assert_eq!(path_of(dir, &good), Some(dir.join("aa").join(&good)));
        for bad in [
            "../etc/passwd",
            "x.png",
            &format!("{}.svg", "a".repeat(64)),
            &format!("{}.png", "A".repeat(64)),
        ] {
            assert_eq!(path_of(dir, bad), None, "{bad}");
        }
    }
}
