//! Every path the site serves, for checking links in edited Markdown the way the import
//! checks them.

use crate::{Db, DbError};

#[derive(Debug, Clone, Default)]
pub struct SitePaths {
    pub labs: Vec<String>,
    /// Published projects and posts (drafts are not served).
    pub projects: Vec<String>,
    pub posts: Vec<String>,
    pub pages: Vec<String>,
    pub media: Vec<String>,
    /// (from, to)
    pub redirects: Vec<(String, String)>,
}

pub async fn paths(db: &Db) -> Result<SitePaths, DbError> {
    let column = |sql: &'static str| async move {
        let v: Vec<String> = sqlx::query_scalar(sql).fetch_all(db.pool()).await?;
        Ok::<_, DbError>(v)
    };
    Ok(SitePaths {
        labs: column("SELECT slug FROM labs WHERE deleted_at IS NULL").await?,
        projects: column("SELECT slug FROM projects WHERE draft = 0 AND deleted_at IS NULL")
            .await?,
        posts: column("SELECT slug FROM posts WHERE draft = 0 AND deleted_at IS NULL").await?,
        pages: column("SELECT path FROM pages WHERE draft = 0 AND deleted_at IS NULL").await?,
        media: {
            let mut media = column("SELECT path FROM media").await?;
            let uploads: Vec<String> = column("SELECT file FROM uploads").await?;
            media.extend(uploads.into_iter().map(|f| format!("uploads/{f}")));
            media
        },
        redirects: sqlx::query_as("SELECT from_path, target FROM redirects")
            .fetch_all(db.pool())
            .await?,
    })
}
