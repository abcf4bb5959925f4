//! People with their roles, body memberships and vakgroepen (product.md §0).

use crate::accounts::{AnySession, SessionRow};
use crate::audit::{self, Change, Who};
use crate::codes::{CodeList, NullableCode};
use crate::{PgConnection, Store, StoreError};
use domain::account::twofactor::SignInStep;
use domain::authz::Actor;
use domain::ids::PersonId;
use domain::people::{BodyCode, EmploymentForm, PersonDraft, Position, Role};
use serde::Serialize;
use time::OffsetDateTime;

/// A person as listed in Beheer, with roles and body codes.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct PersonSummary {
    #[sqlx(try_from = "i64")]
    pub id: PersonId,
    pub email: String,
    pub name: String,
    pub is_demo: bool,
    pub has_password: bool,
    pub disabled_at: Option<OffsetDateTime>,
    #[sqlx(try_from = "CodeList")]
    pub roles: Vec<Role>,
    #[sqlx(try_from = "CodeList")]
    pub bodies: Vec<BodyCode>,
}

/// A person with everything about them, as read for editing and for the audit trail.
#[derive(Debug, Clone, Serialize)]
pub struct PersonDetail {
    pub id: PersonId,
    pub email: String,
    pub name: String,
    pub is_demo: bool,
    pub has_password: bool,
    pub disabled: bool,
    pub version: i32,
    pub roles: Vec<Role>,
    pub memberships: Vec<MembershipRow>,
    pub vakgroepen: Vec<i64>,
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, PartialEq, Eq)]
pub struct MembershipRow {
    pub body_id: i64,
    #[sqlx(try_from = "String")]
    pub body_code: BodyCode,
    #[sqlx(try_from = "String")]
    pub position: Position,
    #[sqlx(try_from = "NullableCode")]
    pub employment_form: Option<EmploymentForm>,
}

#[derive(sqlx::FromRow)]
struct PersonRow {
    #[sqlx(try_from = "i64")]
    id: PersonId,
    email: String,
    name: String,
    is_demo: bool,
    has_password: bool,
    disabled: bool,
    version: i32,
    #[sqlx(try_from = "CodeList")]
    roles: Vec<Role>,
    vakgroepen: Vec<i64>,
}

pub async fn list(store: &Store) -> Result<Vec<PersonSummary>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT p.id, p.email, p.name, p.is_demo, p.password_hash IS NOT NULL AS has_password, p.disabled_at,
                COALESCE((SELECT array_agg(r.role ORDER BY r.role) FROM person_role r WHERE r.person_id = p.id), '{}') AS roles,
                COALESCE((SELECT array_agg(b.code ORDER BY b.sort_order) FROM membership m JOIN body b ON b.id = m.body_id
                          WHERE m.person_id = p.id), '{}') AS bodies
         FROM person p ORDER BY p.disabled_at IS NOT NULL, p.name",
    )
    .fetch_all(store.pool())
    .await?)
}

async fn detail_on(
    conn: &mut PgConnection,
    id: PersonId,
    lock: bool,
) -> Result<PersonDetail, StoreError> {
    let sql = if lock {
        "SELECT p.id, p.email, p.name, p.is_demo, p.password_hash IS NOT NULL AS has_password,
                p.disabled_at IS NOT NULL AS disabled, p.version,
                COALESCE((SELECT array_agg(r.role ORDER BY r.role) FROM person_role r WHERE r.person_id = p.id), '{}') AS roles,
                COALESCE((SELECT array_agg(v.vakgroep_id ORDER BY v.vakgroep_id) FROM vakgroep_representative v WHERE v.person_id = p.id), '{}') AS vakgroepen
         FROM person p WHERE p.id = $1 FOR UPDATE"
    } else {
        "SELECT p.id, p.email, p.name, p.is_demo, p.password_hash IS NOT NULL AS has_password,
                p.disabled_at IS NOT NULL AS disabled, p.version,
                COALESCE((SELECT array_agg(r.role ORDER BY r.role) FROM person_role r WHERE r.person_id = p.id), '{}') AS roles,
                COALESCE((SELECT array_agg(v.vakgroep_id ORDER BY v.vakgroep_id) FROM vakgroep_representative v WHERE v.person_id = p.id), '{}') AS vakgroepen
         FROM person p WHERE p.id = $1"
    };
    let row: PersonRow = sqlx::query_as(sql)
        .bind(id.get())
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    let memberships = sqlx::query_as(
        "SELECT m.body_id, b.code AS body_code, m.position, m.employment_form
         FROM membership m JOIN body b ON b.id = m.body_id WHERE m.person_id = $1 ORDER BY b.sort_order",
    )
    .bind(id.get())
    .fetch_all(&mut *conn)
    .await?;
    Ok(PersonDetail {
        id: row.id,
        email: row.email,
        name: row.name,
        is_demo: row.is_demo,
        has_password: row.has_password,
        disabled: row.disabled,
        version: row.version,
        roles: row.roles,
        memberships,
        vakgroepen: row.vakgroepen,
    })
}

pub async fn get(store: &Store, id: PersonId) -> Result<PersonDetail, StoreError> {
    let mut conn = store.pool().acquire().await?;
    detail_on(&mut conn, id, false).await
}

async fn write_links(
    conn: &mut PgConnection,
    id: PersonId,
    input: &PersonDraft,
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM person_role WHERE person_id = $1")
        .bind(id.get())
        .execute(&mut *conn)
        .await?;
    let roles: Vec<&str> = input.roles.iter().map(|r| r.code()).collect();
    sqlx::query("INSERT INTO person_role (person_id, role) SELECT $1, unnest($2::text[])")
        .bind(id.get())
        .bind(&roles)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM membership WHERE person_id = $1")
        .bind(id.get())
        .execute(&mut *conn)
        .await?;
    for m in &input.memberships {
        sqlx::query("INSERT INTO membership (person_id, body_id, position, employment_form) VALUES ($1, $2, $3, $4)")
            .bind(id.get())
            .bind(m.body_id)
            .bind(m.position.code())
            .bind(m.employment_form.map(|f| f.code()))
            .execute(&mut *conn)
            .await?;
    }
    sqlx::query("DELETE FROM vakgroep_representative WHERE person_id = $1")
        .bind(id.get())
        .execute(&mut *conn)
        .await?;
    let vakgroepen: Vec<i64> = input.vakgroepen.iter().copied().collect();
    sqlx::query("INSERT INTO vakgroep_representative (person_id, vakgroep_id) SELECT $1, unnest($2::bigint[])")
        .bind(id.get())
        .bind(&vakgroepen)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Creates a person (without a password: they get a set-password link).
pub async fn create(
    conn: &mut PgConnection,
    who: &Who,
    input: &PersonDraft,
    is_demo: bool,
) -> Result<PersonId, StoreError> {
    let id: PersonId = sqlx::query_scalar::<_, i64>(
        "INSERT INTO person (email, name, is_demo) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(input.email.as_str())
    .bind(input.name.as_str())
    .bind(is_demo)
    .fetch_one(&mut *conn)
    .await?
    .into();
    write_links(conn, id, input).await?;
    let after = detail_on(conn, id, false).await?;
    audit::record(conn, who, Change::new("person", id, "create").after(&after)).await?;
    Ok(id)
}

/// Saves an edit made on version `expected_version`; `Conflict` when someone saved in between.
pub async fn update(
    conn: &mut PgConnection,
    who: &Who,
    id: PersonId,
    expected_version: i32,
    input: &PersonDraft,
) -> Result<(), StoreError> {
    let before = detail_on(conn, id, true).await?;
    if before.version != expected_version {
        return Err(StoreError::Conflict);
    }
    sqlx::query("UPDATE person SET email = $2, name = $3, version = version + 1 WHERE id = $1")
        .bind(id.get())
        .bind(input.email.as_str())
        .bind(input.name.as_str())
        .execute(&mut *conn)
        .await?;
    write_links(conn, id, input).await?;
    // A new role may require a second factor this person does not have: their sessions end, so
    // the next sign-in goes through enrolment.
    crate::twofactor::end_unenrolled_sessions(conn, Some(id)).await?;
    let after = detail_on(conn, id, false).await?;
    audit::record(
        conn,
        who,
        Change::new("person", id, "update")
            .before(&before)
            .after(&after),
    )
    .await
}

/// Disables or re-enables an account; disabling ends all of the person's sessions.
pub async fn set_disabled(
    conn: &mut PgConnection,
    who: &Who,
    id: PersonId,
    disabled: bool,
) -> Result<(), StoreError> {
    let before = detail_on(conn, id, true).await?;
    sqlx::query(
        "UPDATE person SET disabled_at = CASE WHEN $2 THEN COALESCE(disabled_at, now()) END, version = version + 1 WHERE id = $1",
    )
    .bind(id.get())
    .bind(disabled)
    .execute(&mut *conn)
    .await?;
    if disabled {
        crate::accounts::end_sessions_of(conn, id).await?;
    }
    let action = if disabled { "disable" } else { "enable" };
    audit::record(
        conn,
        who,
        Change::new("person", id, action)
            .before(before.disabled)
            .after(disabled),
    )
    .await
}

/// The login data of an enabled or disabled account.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Credentials {
    #[sqlx(try_from = "i64")]
    pub id: PersonId,
    pub email: String,
    pub password_hash: Option<String>,
    pub disabled: bool,
    pub is_demo: bool,
}

pub async fn credentials(store: &Store, email: &str) -> Result<Option<Credentials>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT id, email, password_hash, disabled_at IS NOT NULL AS disabled, is_demo FROM person WHERE email = $1",
    )
    .bind(email)
    .fetch_optional(store.pool())
    .await?)
}

pub async fn credentials_by_id(store: &Store, id: PersonId) -> Result<Credentials, StoreError> {
    Ok(sqlx::query_as(
        "SELECT id, email, password_hash, disabled_at IS NOT NULL AS disabled, is_demo FROM person WHERE id = $1",
    )
    .bind(id.get())
    .fetch_one(store.pool())
    .await?)
}

/// Stores a new password hash and ends every session of the person.
pub async fn set_password_hash(
    conn: &mut PgConnection,
    who: &Who,
    id: PersonId,
    hash: &str,
) -> Result<(), StoreError> {
    let n =
        sqlx::query("UPDATE person SET password_hash = $2, version = version + 1 WHERE id = $1")
            .bind(id.get())
            .bind(hash)
            .execute(&mut *conn)
            .await?
            .rows_affected();
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    crate::accounts::end_sessions_of(conn, id).await?;
    audit::record(conn, who, Change::new("person", id, "password_set")).await
}

/// A signed-in person as shown in the page header.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub actor: Actor,
    pub name: String,
    pub email: String,
    pub body_codes: Vec<BodyCode>,
    pub is_demo: bool,
}

#[derive(sqlx::FromRow)]
struct ActorRow {
    id: i64,
    name: String,
    email: String,
    is_demo: bool,
    #[sqlx(try_from = "CodeList")]
    roles: Vec<Role>,
    body_ids: Vec<i64>,
    #[sqlx(try_from = "CodeList")]
    body_codes: Vec<BodyCode>,
    vakgroepen: Vec<i64>,
}

/// The columns of [`ActorRow`] from `person p`.
macro_rules! actor_columns {
    () => {
        "p.id, p.name, p.email, p.is_demo,
                COALESCE((SELECT array_agg(r.role) FROM person_role r WHERE r.person_id = p.id), '{}') AS roles,
                COALESCE((SELECT array_agg(m.body_id ORDER BY b.sort_order) FROM membership m JOIN body b ON b.id = m.body_id WHERE m.person_id = p.id), '{}') AS body_ids,
                COALESCE((SELECT array_agg(b.code ORDER BY b.sort_order) FROM membership m JOIN body b ON b.id = m.body_id WHERE m.person_id = p.id), '{}') AS body_codes,
                COALESCE((SELECT array_agg(v.vakgroep_id) FROM vakgroep_representative v WHERE v.person_id = p.id), '{}') AS vakgroepen"
    };
}

/// [`ActorRow`] of every person; the caller adds the WHERE clause.
macro_rules! actor_select {
    () => {
        concat!("SELECT ", actor_columns!(), " FROM person p")
    };
}

/// Everything the authorisation rules need about a person, in one query.
pub async fn signed_in(store: &Store, id: PersonId) -> Result<SignedIn, StoreError> {
    let row: ActorRow = sqlx::query_as(concat!(
        actor_select!(),
        " WHERE p.id = $1 AND p.disabled_at IS NULL"
    ))
    .bind(id.get())
    .fetch_optional(store.pool())
    .await?
    .ok_or(StoreError::NotFound)?;
    Ok(row.into())
}

#[derive(sqlx::FromRow)]
struct SessionActorRow {
    created_at: OffsetDateTime,
    last_seen_at: OffsetDateTime,
    pending_step: Option<String>,
    #[sqlx(flatten)]
    actor: ActorRow,
}

/// A session (full or half signed-in) and its enabled person with what the rules need, in one
/// query: what every request asks first, so one round trip rather than two.
pub async fn by_session(
    store: &Store,
    id_hash: &[u8],
) -> Result<Option<(AnySession, SignedIn)>, StoreError> {
    let row: Option<SessionActorRow> = sqlx::query_as(concat!(
        "SELECT s.created_at, s.last_seen_at, s.pending_step, ",
        actor_columns!(),
        " FROM session s JOIN person p ON p.id = s.person_id
          WHERE s.id_hash = $1 AND p.disabled_at IS NULL"
    ))
    .bind(id_hash)
    .fetch_optional(store.pool())
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let pending_step = row.pending_step.map(SignInStep::try_from).transpose()?;
    let person: SignedIn = row.actor.into();
    let session = AnySession {
        session: SessionRow {
            person_id: person.actor.person_id,
            created_at: row.created_at,
            last_seen_at: row.last_seen_at,
        },
        pending_step,
    };
    Ok(Some((session, person)))
}

/// Every enabled member of any of `bodies`, with what the authorisation rules need: the
/// recipients of a meeting's mail, each to be shown only what they may see.
pub async fn members_of(
    conn: &mut PgConnection,
    bodies: &[i64],
) -> Result<Vec<SignedIn>, StoreError> {
    let rows: Vec<ActorRow> = sqlx::query_as(concat!(
        actor_select!(),
        " WHERE p.disabled_at IS NULL
            AND EXISTS (SELECT 1 FROM membership m WHERE m.person_id = p.id AND m.body_id = ANY($1))
          ORDER BY p.id"
    ))
    .bind(bodies)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(SignedIn::from).collect())
}

impl From<ActorRow> for SignedIn {
    fn from(row: ActorRow) -> Self {
        SignedIn {
            actor: Actor {
                person_id: row.id.into(),
                roles: row.roles.into_iter().collect(),
                bodies: row.body_ids.into_iter().collect(),
                vakgroepen: row.vakgroepen.into_iter().collect(),
            },
            name: row.name,
            email: row.email,
            body_codes: row.body_codes,
            is_demo: row.is_demo,
        }
    }
}

/// Every enabled person holding any of `roles`, with what the authorisation rules need: the
/// controllers who hear of a budget, the reviewers of trend inputs (mail, issue #16). One query
/// for the whole list; the caller still asks each person's rules what they may be told.
pub async fn with_roles(
    conn: &mut PgConnection,
    roles: &[Role],
) -> Result<Vec<SignedIn>, StoreError> {
    let codes: Vec<&str> = roles.iter().map(|r| r.code()).collect();
    let rows: Vec<ActorRow> = sqlx::query_as(concat!(
        actor_select!(),
        " WHERE p.disabled_at IS NULL
            AND EXISTS (SELECT 1 FROM person_role r WHERE r.person_id = p.id AND r.role = ANY($1))
          ORDER BY p.id"
    ))
    .bind(&codes)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(SignedIn::from).collect())
}

/// Every enabled chair and secretary of any of `bodies`: who hears that a decision is awaited
/// from their body, or that the bodies are divided (mail, issue #16).
pub async fn officers_of(
    conn: &mut PgConnection,
    bodies: &[i64],
) -> Result<Vec<SignedIn>, StoreError> {
    let rows: Vec<ActorRow> = sqlx::query_as(concat!(
        actor_select!(),
        " WHERE p.disabled_at IS NULL
            AND EXISTS (SELECT 1 FROM membership m
                        WHERE m.person_id = p.id AND m.body_id = ANY($1)
                          AND m.position = ANY($2))
          ORDER BY p.id"
    ))
    .bind(bodies)
    .bind([Position::Voorzitter.code(), Position::Secretaris.code()])
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(SignedIn::from).collect())
}

/// Every enabled representative of vakgroep `vakgroep`: who hears that its trend input was
/// returned or accepted.
pub async fn representatives_of(
    conn: &mut PgConnection,
    vakgroep: i64,
) -> Result<Vec<SignedIn>, StoreError> {
    let rows: Vec<ActorRow> = sqlx::query_as(concat!(
        actor_select!(),
        " WHERE p.disabled_at IS NULL
            AND EXISTS (SELECT 1 FROM vakgroep_representative v
                        WHERE v.person_id = p.id AND v.vakgroep_id = $1)
          ORDER BY p.id"
    ))
    .bind(vakgroep)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(SignedIn::from).collect())
}
