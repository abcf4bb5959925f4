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
    /// A write that would break what the stored data must keep true (a trigger, a key, the
    /// trend-input flow the store guards); nothing was written. The web answers it at the field.
    #[error("refused: {0}")]
    Invalid(Invalid),
    #[error("{0}")]
    Other(String),
}

/// What [`StoreError::Invalid`] refused. The domain checks the same rules before a write where it
/// can; these are the store's last word, so they carry no Dutch text of their own except where the
/// domain's error has it.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Invalid {
    /// "Begroting vorig jaar" must be a scenario of the year before `year` (migration 0008's
    /// trigger).
    #[error("the previous scenario is not of the year before {year}")]
    PreviousScenarioYear { year: i16 },
    /// A scenario holds only trend inputs of its own `year`.
    #[error("a scenario of {year} holds only trend inputs of {year}")]
    TrendInputYear { year: i16 },
    /// A scenario's year is fixed.
    #[error("a scenario's year cannot change")]
    ScenarioYear,
    /// A trend input stays with its vakgroep and year.
    #[error("a trend input cannot move to another vakgroep or year")]
    TrendInputMoved,
    /// A status change outside the trend-input flow, a return without a reason, or an edit of an
    /// input that is no longer the representative's to change.
    #[error(transparent)]
    Trend(#[from] domain::budget::TrendStatusError),
    /// A body's seats bound to one employment form while members of the other form sit in it
    /// (`domain::people::check_seat_employment_form`, checked in the update's transaction).
    #[error(transparent)]
    SeatEmploymentForm(domain::people::FieldError),
    /// A production period outside 2000–2200 and 1–12 (the columns' checks).
    #[error(transparent)]
    Period(domain::people::FieldError),
    /// The scenario is adopted (D9, migration 0015's triggers): it cannot change.
    #[error("the scenario is adopted and locked")]
    Adopted,
    /// The scenario already has an open proposal for adoption.
    #[error("the scenario is already proposed for adoption")]
    AlreadyProposed,
    /// There is no executive board or no MSB+ body to decide on a budget.
    #[error("no deciding bodies for a budget")]
    NoDecidingBodies,
    /// The meeting is not an upcoming joint meeting of both deciding bodies with an open agenda.
    #[error("the meeting cannot take a proposal for adoption")]
    MeetingUnfit,
    /// A write of the self-assessment refused in its transaction (a round no longer in concept or
    /// no longer taking answers, a person not invited or already handed in, …), with the domain's
    /// Dutch message and field.
    #[error(transparent)]
    SelfAssessment(domain::selfassessment::Refusal),
    /// A round's status change that `domain::selfassessment::round::transition` refuses.
    #[error(transparent)]
    RoundStatus(domain::selfassessment::RoundStatusError),
}

impl From<domain::selfassessment::Refusal> for StoreError {
    fn from(e: domain::selfassessment::Refusal) -> Self {
        StoreError::Invalid(Invalid::SelfAssessment(e))
    }
}

impl From<domain::selfassessment::RoundStatusError> for StoreError {
    fn from(e: domain::selfassessment::RoundStatusError) -> Self {
        StoreError::Invalid(Invalid::RoundStatus(e))
    }
}

impl From<Invalid> for StoreError {
    fn from(e: Invalid) -> Self {
        StoreError::Invalid(e)
    }
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
                    // migration 0015: a write to an adopted scenario.
                    Some("GGA01") => StoreError::Invalid(Invalid::Adopted),
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
