//! The open-data dump: every public record in one zip file.
//!
//! Per collection of the API `<name>.csv` and `<name>.json` (the same records and fields
//! as `/api/v1/<name>.csv` and `/api/v1/<name>`, all of them, without paging), the
//! DCAT-AP.de catalog as `catalog.ttl` and `catalog.jsonld`, and a `README.md` in German
//! and English (what each file is, the licence, when it was made). Only what the open-data
//! functions emit goes in, so the manifest's rules hold for the dump as for the API.
//!
//! [`write_dir`] writes `DIR/codefor-opendata.zip` through a temporary file in the same
//! folder and a rename, so a reader never sees half a file; [`fresh`] regenerates it when
//! it is missing, older than a day, or made from other content than the database holds
//! now (the content version and origin it was made from stand beside it in
//! `codefor-opendata.version`), so withdrawn records leave the download with the next
//! request (the download at `/daten/opendata.zip`), and [`run`] does so in the background.

use std::io::{Seek, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use codefor_storage::Db;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use zip::write::SimpleFileOptions;

use crate::open_data::{self, OpenDataError};

/// The file name of the dump in its folder.
pub const FILE_NAME: &str = "codefor-opendata.zip";

/// The file beside the dump naming the content version and origin it was made from.
pub const VERSION_FILE_NAME: &str = "codefor-opendata.version";

/// A dump older than this is made again when it is asked for.
pub const MAX_AGE: Duration = Duration::from_secs(24 * 60 * 60);

/// Why a dump could not be written.
#[derive(Debug, thiserror::Error)]
pub enum DumpError {
    #[error("reading the records: {0}")]
    Data(#[from] OpenDataError),
    #[error("reading the datasets: {0}")]
    Db(#[from] codefor_storage::DbError),
    #[error("writing the catalog: {0}")]
    Catalog(#[from] crate::dcat::WriteError),
    #[error("writing the zip file: {0}")]
    Zip(#[from] zip::result::ZipError),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("writing JSON: {0}")]
    Json(#[from] serde_json::Error),
}

/// One file of the dump.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DumpFile {
    pub name: String,
    /// Uncompressed size.
    pub bytes: u64,
    /// How many records it holds (CSV and JSON of a collection).
    pub records: Option<usize>,
}

/// What a dump holds.
#[derive(Debug, Clone)]
pub struct Dump {
    pub generated_at: OffsetDateTime,
    pub files: Vec<DumpFile>,
}

/// Writes the dump as a zip into `out`. `origin` (such as `https://codefor.de`) starts
/// every URL in the records.
pub async fn write<W: Write + Seek>(db: &Db, origin: &str, out: W) -> Result<Dump, DumpError> {
    let origin = origin.trim_end_matches('/');
    let now = OffsetDateTime::now_utc();
    // Whole seconds: what a reader needs, and what a zip entry can hold anyway.
    let generated_at = now.replace_nanosecond(0).unwrap_or(now);
    let stamp = zip::DateTime::from_date_and_time(
        u16::try_from(generated_at.year()).unwrap_or(1980),
        u8::from(generated_at.month()),
        generated_at.day(),
        generated_at.hour(),
        generated_at.minute(),
        generated_at.second(),
    )
    .unwrap_or_default();
    let options = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(stamp)
        .unix_permissions(0o644)
        .large_file(true);
    let mut zip = zip::ZipWriter::new(out);
    let mut files = Vec::new();
    let add = |zip: &mut zip::ZipWriter<W>,
               files: &mut Vec<DumpFile>,
               name: String,
               body: &[u8],
               records: Option<usize>|
     -> Result<(), DumpError> {
        zip.start_file(name.as_str(), options)?;
        zip.write_all(body)?;
        files.push(DumpFile {
            name,
            bytes: body.len() as u64,
            records,
        });
        Ok(())
    };
    // Each collection is read a batch at a time, twice (for its JSON, then its CSV: a zip
    // is written one file after the other), so the collections take a batch of memory at
    // any size. (The catalog is still built whole: see `dcat::catalog`.)
    let urls = open_data::Urls::new(origin);
    for &c in open_data::collections() {
        let name = format!("{}.json", c.name());
        zip.start_file(name.as_str(), options)?;
        let mut bytes = 0;
        let mut records = 0;
        let mut batches = open_data::Batches::new(c, urls.clone(), &open_data::Query::default());
        let mut chunk = b"{\"data\":[".to_vec();
        while let Some(batch) = batches.next(db).await? {
            for record in &batch {
                if records > 0 {
                    chunk.push(b',');
                }
                serde_json::to_writer(&mut chunk, record)?;
                records += 1;
            }
            zip.write_all(&chunk)?;
            bytes += chunk.len() as u64;
            chunk.clear();
        }
        chunk.extend_from_slice(b"]}");
        zip.write_all(&chunk)?;
        files.push(DumpFile {
            name,
            bytes: bytes + chunk.len() as u64,
            records: Some(records),
        });

        let name = format!("{}.csv", c.name());
        zip.start_file(name.as_str(), options)?;
        let columns = c.columns();
        let mut chunk = open_data::csv_header(&columns)?;
        let mut bytes = 0;
        let mut batches = open_data::Batches::new(c, urls.clone(), &open_data::Query::default());
        let mut rows = 0;
        while let Some(batch) = batches.next(db).await? {
            chunk.extend(open_data::csv_rows(&columns, &batch)?);
            zip.write_all(&chunk)?;
            bytes += chunk.len() as u64;
            chunk.clear();
            rows += batch.len();
        }
        zip.write_all(&chunk)?;
        files.push(DumpFile {
            name,
            bytes: bytes + chunk.len() as u64,
            records: Some(rows),
        });
    }
    let network = open_data::network(db, &open_data::Urls::new(origin)).await?;
    add(
        &mut zip,
        &mut files,
        "network.json".to_owned(),
        &serde_json::to_vec(&network)?,
        None,
    )?;
    let catalog = crate::dcat::catalog(db, origin).await?;
    add(
        &mut zip,
        &mut files,
        "catalog.ttl".to_owned(),
        &crate::dcat::to_turtle(&catalog)?,
        None,
    )?;
    add(
        &mut zip,
        &mut files,
        "catalog.jsonld".to_owned(),
        &crate::dcat::to_jsonld(&catalog)?,
        None,
    )?;
    drop(catalog);
    let readme = readme(origin, generated_at, &files);
    add(
        &mut zip,
        &mut files,
        "README.md".to_owned(),
        readme.as_bytes(),
        None,
    )?;
    zip.finish()?.flush()?;
    Ok(Dump {
        generated_at,
        files,
    })
}

/// Writes `dir/codefor-opendata.zip` (the folder is created when missing) through a
/// temporary file and a rename: readers see the old dump or the new one, never a part.
pub async fn write_dir(db: &Db, origin: &str, dir: &Path) -> Result<(PathBuf, Dump), DumpError> {
    std::fs::create_dir_all(dir)?;
    let target = dir.join(FILE_NAME);
    let tmp = tempfile::Builder::new()
        .prefix(".codefor-opendata-")
        .suffix(".zip.tmp")
        .tempfile_in(dir)?;
    let (file, tmp_path) = tmp.into_parts();
    let dump = write(db, origin, std::io::BufWriter::new(file)).await?;
    // Temporary files are private to their owner; the dump is for everyone (a web
    // server in front may serve the folder).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&tmp_path, std::fs::Permissions::from_mode(0o644))?;
    }
    tmp_path
        .persist(&target)
        .map_err(|e| DumpError::Io(e.error))?;
    Ok((target, dump))
}

/// One lock for every regeneration of this process, so a burst of first downloads
/// makes the dump once.
static REGENERATING: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// The path of a dump in `dir` not older than `max_age`, made first when it is missing
/// or older (when making it fails, an older dump is still returned).
pub async fn fresh(
    db: &Db,
    origin: &str,
    dir: &Path,
    max_age: Duration,
) -> Result<PathBuf, DumpError> {
    let target = dir.join(FILE_NAME);
    let version_file = dir.join(VERSION_FILE_NAME);
    // Read before the records: content changed while the dump is made leaves it stale.
    let stamp = version_stamp(db.content_version().await?, origin);
    let is_fresh = |path: &Path| {
        std::fs::metadata(path)
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age < max_age)
            && std::fs::read_to_string(&version_file).is_ok_and(|v| v == stamp)
    };
    if is_fresh(&target) {
        return Ok(target);
    }
    let _guard = REGENERATING.lock().await;
    // Another request may have made it while this one waited.
    if is_fresh(&target) {
        return Ok(target);
    }
    // The stamp of the old dump goes first: should the new one fail halfway, the old one
    // is still served but counts as stale, so the next request tries again.
    match std::fs::remove_file(&version_file) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e.into()),
        _ => {}
    }
    match write_dir(db, origin, dir).await {
        Ok((path, dump)) => {
            // After the zip's rename: a reader between the two sees the new zip as stale
            // (and makes it once more), never the old zip as fresh.
            write_atomically(dir, &version_file, stamp.as_bytes())?;
            let files = dump.files.len();
            tracing::info!(path = %path.display(), files, "open-data dump written");
            Ok(path)
        }
        // An older dump beats none: it is served until the next attempt succeeds.
        Err(e) if target.is_file() => {
            tracing::error!(error = %e, "open-data dump not made again; the older one stays");
            Ok(target)
        }
        Err(e) => Err(e),
    }
}

/// What the version file of a dump made from `version` for `origin` holds.
fn version_stamp(version: i64, origin: &str) -> String {
    format!("{version} {}\n", origin.trim_end_matches('/'))
}

/// The content version and origin a kept dump was made from, as its version file says
/// (`None` when it is missing or unreadable): the dump's validator for HTTP caches.
pub fn kept_version(dir: &Path) -> Option<String> {
    std::fs::read_to_string(dir.join(VERSION_FILE_NAME))
        .ok()
        .map(|v| v.trim_end().to_owned())
        .filter(|v| !v.is_empty())
}

/// Writes `body` to `target` in `dir` through a temporary file and a rename.
fn write_atomically(dir: &Path, target: &Path, body: &[u8]) -> Result<(), DumpError> {
    let mut tmp = tempfile::Builder::new()
        .prefix(".codefor-opendata-")
        .suffix(".version.tmp")
        .tempfile_in(dir)?;
    tmp.write_all(body)?;
    tmp.as_file().sync_all()?;
    tmp.persist(target).map_err(|e| DumpError::Io(e.error))?;
    Ok(())
}

/// Keeps the dump in `dir` at most a day old and made from the current content, checking
/// every `every`.
pub async fn run(db: Db, origin: String, dir: PathBuf, every: Duration) {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if let Err(e) = fresh(&db, &origin, &dir, MAX_AGE).await {
            tracing::error!(error = %e, dir = %dir.display(), "open-data dump failed");
        }
    }
}

/// The README of the dump, German first, then English.
fn readme(origin: &str, generated_at: OffsetDateTime, files: &[DumpFile]) -> String {
    let when = generated_at
        .format(&Rfc3339)
        .unwrap_or_else(|_| generated_at.to_string());
    let mut table = String::new();
    for f in files {
        let (de, en) = describe(&f.name);
        let count = f.records.map(|n| n.to_string()).unwrap_or_default();
        table.push_str(&format!(
            "| `{}` | {de} / {en} | {count} | {} |\n",
            f.name, f.bytes
        ));
    }
    format!(
        "# Offene Daten von Code for Germany / Open data of Code for Germany\n\
         \n\
         Erstellt / generated: {when}\n\
         Quelle / source: {origin}/\n\
         \n\
         | Datei / file | Inhalt / content | Datensätze / records | Bytes |\n\
         | --- | --- | --- | --- |\n\
         {table}| `README.md` | diese Datei / this file | | |\n\
         \n\
         ## Deutsch\n\
         \n\
         Dieses Archiv enthält alle öffentlichen Datensätze der Plattform von Code for \
         Germany zum oben genannten Zeitpunkt: je Sammlung der API eine CSV-Datei (UTF-8, \
         Kopfzeile, RFC 4180, CRLF) und eine JSON-Datei (`{{\"data\": [...]}}`, dieselben \
         Felder wie `{origin}/api/v1/<sammlung>`), dazu die Kennzahlen des Netzwerks \
         (`network.json`) und den Datenkatalog nach DCAT-AP.de als Turtle (`catalog.ttl`) \
         und JSON-LD (`catalog.jsonld`).\n\
         \n\
         Die Bedeutung jedes Feldes beschreibt das OpenAPI-Dokument unter \
         {origin}/api/openapi.json, lesbar unter {origin}/api/. Zeiten stehen in RFC 3339 \
         mit Zeitzone, Daten als JJJJ-MM-TT; Verweise auf andere Datensätze sind absolute \
         API-Adressen. In CSV-Dateien sind Listen von Werten mit \"; \" verbunden, Listen \
         von Objekten (etwa Links) stehen als JSON in einer Zelle, die Felder eines Objekts \
         in eigenen Spalten \"feld.unterfeld\". Private Angaben (E-Mail-Adressen der \
         Konten, nicht öffentliche Profilteile, Entwürfe, von der Moderation ausgeblendete \
         Inhalte) sind nicht enthalten. Labs, die nicht mehr in der Lab-Liste stehen, haben \
         \"listed\": false.\n\
         \n\
         Lizenz: Die Inhalte stehen unter der Creative-Commons-Lizenz Namensnennung 4.0 \
         International (CC BY 4.0, https://creativecommons.org/licenses/by/4.0/deed.de). \
         Namensnennung: „Code for Germany“ mit einem Verweis auf {origin}/. Die Software der \
         Plattform steht unter der GNU Affero General Public License, Version 3 oder später \
         (AGPL-3.0-or-later).\n\
         \n\
         Das Archiv wird nach jeder Änderung, spätestens täglich, neu erstellt und steht \
         unter {origin}/daten/opendata.zip bereit. Kontakt: siehe {origin}/impressum/.\n\
         \n\
         ## English\n\
         \n\
         This archive holds every public record of the Code for Germany platform at the \
         time above: per collection of the API one CSV file (UTF-8, header row, RFC 4180, \
         CRLF) and one JSON file (`{{\"data\": [...]}}`, the same fields as \
         `{origin}/api/v1/<collection>`), the network's figures (`network.json`) and the \
         data catalog per DCAT-AP.de as Turtle (`catalog.ttl`) and JSON-LD \
         (`catalog.jsonld`).\n\
         \n\
         Every field is described in the OpenAPI document at {origin}/api/openapi.json, \
         readable at {origin}/api/. Times are RFC 3339 with offset, dates YYYY-MM-DD; \
         references to other records are absolute API URLs. In CSV files, lists of values \
         are joined with \"; \", lists of objects (such as links) are JSON in one cell, and \
         the fields of an object have columns of their own, \"field.subfield\". Private \
         data (the e-mail addresses of accounts, profile parts that are not public, drafts, \
         content hidden by moderators) is not included. Labs left out of the lab list have \
         \"listed\": false.\n\
         \n\
         Licence: the content is licensed under Creative Commons Attribution 4.0 \
         International (CC BY 4.0, https://creativecommons.org/licenses/by/4.0/). \
         Attribution: \"Code for Germany\" with a link to {origin}/. The platform's software \
         is licensed under the GNU Affero General Public License, version 3 or later \
         (AGPL-3.0-or-later).\n\
         \n\
         The archive is made anew after every change, at least daily, and downloadable at \
         {origin}/daten/opendata.zip. Contact: see {origin}/impressum/.\n"
    )
}

/// What a file of the dump holds, in German and English.
fn describe(name: &str) -> (String, String) {
    match name {
        "network.json" => (
            "Kennzahlen des Netzwerks (/api/v1/network)".to_owned(),
            "the network's figures (/api/v1/network)".to_owned(),
        ),
        "catalog.ttl" => (
            "Datenkatalog (DCAT-AP.de), Turtle".to_owned(),
            "data catalog (DCAT-AP.de), Turtle".to_owned(),
        ),
        "catalog.jsonld" => (
            "Datenkatalog (DCAT-AP.de), JSON-LD".to_owned(),
            "data catalog (DCAT-AP.de), JSON-LD".to_owned(),
        ),
        _ => {
            let (stem, ext) = name.rsplit_once('.').unwrap_or((name, ""));
            let format = ext.to_uppercase();
            match open_data::Collection::parse(stem) {
                Some(c) => (
                    format!("{}, {format}", c.title_de()),
                    format!("{stem}, {format} (/api/v1/{stem})"),
                ),
                None => (name.to_owned(), name.to_owned()),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_readme_names_licences_files_and_the_api_document() {
        let files = vec![
            DumpFile {
                name: "labs.csv".into(),
                bytes: 10,
                records: Some(3),
            },
            DumpFile {
                name: "catalog.ttl".into(),
                bytes: 5,
                records: None,
            },
        ];
        let at = time::macros::datetime!(2026-03-10 19:00 UTC);
        let text = readme("https://codefor.de", at, &files);
        for want in [
            "CC BY 4.0",
            "„Code for Germany“",
            "AGPL-3.0-or-later",
            "https://codefor.de/api/openapi.json",
            "2026-03-10T19:00:00Z",
            "| `labs.csv` | Labs, CSV / labs, CSV (/api/v1/labs) | 3 | 10 |",
            "| `catalog.ttl` | Datenkatalog (DCAT-AP.de), Turtle",
            "## Deutsch",
            "## English",
        ] {
            assert!(text.contains(want), "{want} in:\n{text}");
        }
    }
}
