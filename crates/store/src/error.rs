use thiserror::Error;

/// What can go wrong in the store, in terms the web layer can answer.
#[derive(Debug, Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// Someone else changed the object since it was read (optimistic versioning, F4).
    #[error("conflict: the object was changed by someone else")]
    Conflict,
    /// A unique value is already taken; carries the constraint name.
    #[error("duplicate value ({0})")]
    Duplicate(String),
    /// A row is still referenced elsewhere.
    #[error("still in use ({0})")]
    InUse(String),
    /// The database cannot be reached.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    #[error("database error: {0}")]
    Db(sqlx::Error),
    /// A code in a row that the domain does not know: a decode error, never a default.
    #[error("decoding a row: {0}")]
    Decode(#[from] domain::codes::UnknownCode),
    #[error("{0}")]
    Other(String),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::RowNotFound => StoreError::NotFound,
            sqlx::Error::PoolTimedOut | sqlx::Error::Io(_) | sqlx::Error::PoolClosed => {
                StoreError::Unavailable(e.to_string())
            }
            sqlx::Error::Database(db) => {
                let constraint = db.constraint().unwrap_or_default().to_string();
                match db.code().as_deref() {
                    Some("23505") => StoreError::Duplicate(constraint),
                    Some("23503") => StoreError::InUse(constraint),
                    // admin_shutdown, cannot_connect_now, crash_shutdown: the server is going away.
                    Some("57P01") | Some("57P02") | Some("57P03") => {
                        StoreError::Unavailable(e.to_string())
                    }
                    _ => StoreError::Db(e),
                }
            }
            _ => StoreError::Db(e),
        }
    }
}
