//! The agreements the compliance rate (nakomingsgraad, B4) counts.

use crate::codes::{CodeList, NullableCode};
use crate::{Store, StoreError};
use domain::agreements::compliance::DueAgreement;
use domain::agreements::kinds::{AgreementStatus, JzojpTheme, PartyKind, SevenS};
use time::Date;

#[derive(sqlx::FromRow)]
struct DueRow {
    due_date: Date,
    realised_on: Option<Date>,
    #[sqlx(try_from = "String")]
    status: AgreementStatus,
    #[sqlx(try_from = "CodeList")]
    party_kinds: Vec<PartyKind>,
    party_labels: Vec<String>,
    #[sqlx(try_from = "CodeList")]
    seven_s: Vec<SevenS>,
    #[sqlx(try_from = "NullableCode")]
    theme: Option<JzojpTheme>,
}

/// The agreements due in `[from, to]` (both inclusive) that a member of `visible_bodies` may see,
/// as the compliance rate takes them (`domain::agreements::compliance`), in one query. Parties are
/// named as in [`super::RegisterRow::party_labels`].
pub async fn due_for_compliance(
    store: &Store,
    from: Date,
    to: Date,
    visible_bodies: &[i64],
) -> Result<Vec<DueAgreement>, StoreError> {
    let rows: Vec<DueRow> = sqlx::query_as(
        "SELECT a.due_date, a.realised_on, a.status, a.theme,
        COALESCE((SELECT array_agg(ap.kind ORDER BY ap.position, ap.id) FROM agreement_party ap
                  WHERE ap.agreement_id = a.id), '{}') AS party_kinds,
        COALESCE((SELECT array_agg(CASE WHEN btrim(ap.label) = '' THEN COALESCE(v.name, '') ELSE ap.label END
                                   ORDER BY ap.position, ap.id)
                  FROM agreement_party ap LEFT JOIN vakgroep v ON v.id = ap.vakgroep_id
                  WHERE ap.agreement_id = a.id), '{}') AS party_labels,
        COALESCE((SELECT array_agg(s.element) FROM agreement_seven_s s WHERE s.agreement_id = a.id), '{}') AS seven_s
         FROM agreement a
         WHERE a.due_date BETWEEN $1 AND $2
           AND (a.visibility_body_id IS NULL OR a.visibility_body_id = ANY($3::bigint[]))
         ORDER BY a.due_date, a.id",
    )
    .bind(from)
    .bind(to)
    .bind(visible_bodies)
    .fetch_all(store.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let mut seven_s = r.seven_s;
            seven_s.sort();
            DueAgreement {
                due: r.due_date,
                realised_on: r.realised_on,
                status: r.status,
                parties: super::party_labels(&r.party_kinds, &r.party_labels),
                seven_s,
                theme: r.theme,
            }
        })
        .collect())
}
