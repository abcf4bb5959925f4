//! A small hospital for the self-assessment's store tests: the four default bodies and an RvT,
//! board members with seats, and short ways to make, open, answer and close a round.

use super::common::{admin, body_id};
use gg_store::audit::Who;
use gg_store::domain::agreements::kinds::SevenS;
use gg_store::domain::ids::{BodyId, PersonId};
use gg_store::domain::people::{
    Email, EmploymentForm, MembershipDraft, PersonDraft, PersonName, Position, Role,
};
use gg_store::domain::selfassessment::Refusal;
use gg_store::domain::selfassessment::{
    AnswersForm, CatalogueStatementId, RoundDraft, RoundId, StatementId, Submission,
};
use gg_store::selfassessment::{self as sa, RoundDetail};
use gg_store::{Invalid, PgPool, Store, StoreError};
use std::collections::BTreeSet;
use time::Date;
use time::macros::date;

/// The date the tests live on; rounds open the day before and close ten days later.
pub const TODAY: Date = date!(2026 - 11 - 23);

pub struct Hospital {
    pub s: Store,
    pub pool: PgPool,
    pub rvb: BodyId,
    pub msb: BodyId,
    pub vmsd: BodyId,
    pub vms: BodyId,
    pub rvt: BodyId,
}

pub async fn hospital(pool: PgPool) -> Hospital {
    let s = Store::from_pool(pool.clone());
    let rvt: i64 = sqlx::query_scalar(
        "INSERT INTO body (code, name, kind) VALUES ('RvT', 'Raad van Toezicht', 'toezicht') RETURNING id",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    Hospital {
        rvb: BodyId::new(body_id(&s, "RvB").await),
        msb: BodyId::new(body_id(&s, "MSB").await),
        vmsd: BodyId::new(body_id(&s, "VMSD").await),
        vms: BodyId::new(body_id(&s, "VMS").await),
        rvt: BodyId::new(rvt),
        s,
        pool,
    }
}

impl Hospital {
    /// A person with the given seats (employment forms as the MSB+ bodies want them).
    pub async fn person(&self, email: &str, seats: &[(BodyId, Position)]) -> PersonId {
        let memberships = seats
            .iter()
            .map(|&(body, position)| MembershipDraft {
                body_id: body.get(),
                position,
                employment_form: if body == self.msb {
                    Some(EmploymentForm::Vrijgevestigd)
                } else if body == self.vmsd {
                    Some(EmploymentForm::Dienstverband)
                } else {
                    None
                },
            })
            .collect();
        let input = PersonDraft {
            email: Email::parse(email).unwrap(),
            name: PersonName::parse(&format!("Persoon {email}")).unwrap(),
            roles: [Role::Bestuurder].into_iter().collect(),
            memberships,
            vakgroepen: BTreeSet::new(),
        };
        let mut tx = self.s.begin().await.unwrap();
        let id = gg_store::people::create(&mut tx, &admin(), &input, false)
            .await
            .unwrap();
        gg_store::commit(tx).await.unwrap();
        id
    }

    /// `n` members with a seat (lid) in `body`.
    pub async fn members(&self, prefix: &str, body: BodyId, n: usize) -> Vec<PersonId> {
        let mut people = Vec::new();
        for i in 0..n {
            let email = format!("{prefix}{i}@example.org");
            people.push(self.person(&email, &[(body, Position::Lid)]).await);
        }
        people
    }

    /// The active catalogue statements of the given elements (all when empty).
    pub async fn statements(&self, of: &[SevenS]) -> Vec<CatalogueStatementId> {
        sa::catalogue(&self.s)
            .await
            .unwrap()
            .into_iter()
            .filter(|st| st.active && (of.is_empty() || of.contains(&st.s)))
            .map(|st| st.id)
            .collect()
    }

    pub async fn concept(&self, bodies: &[BodyId], statements: &[CatalogueStatementId]) -> RoundId {
        let draft = RoundDraft {
            title: "Zelfevaluatie 2026".into(),
            body_ids: bodies.to_vec(),
            opens_on: TODAY.previous_day().unwrap(),
            closes_on: date!(2026 - 12 - 03),
        };
        let mut tx = self.s.begin().await.unwrap();
        let id = sa::create_round(&mut tx, &admin(), &draft, statements)
            .await
            .unwrap();
        gg_store::commit(tx).await.unwrap();
        id
    }

    /// A round made and opened today.
    pub async fn open(
        &self,
        bodies: &[BodyId],
        statements: &[CatalogueStatementId],
    ) -> RoundDetail {
        let id = self.concept(bodies, statements).await;
        let mut tx = self.s.begin().await.unwrap();
        sa::open_round(&mut tx, &admin(), id, 1, TODAY)
            .await
            .unwrap();
        gg_store::commit(tx).await.unwrap();
        sa::round(&self.s, id).await.unwrap()
    }

    /// Hands in `codes` (repeated over the statements) with `comment` on every answer.
    pub async fn submit(
        &self,
        round: &RoundDetail,
        person: PersonId,
        body: BodyId,
        codes: &[&str],
        comment: Option<&str>,
    ) -> Result<(), StoreError> {
        self.submit_on(round, person, body, codes, comment, TODAY)
            .await
    }

    pub async fn submit_on(
        &self,
        round: &RoundDetail,
        person: PersonId,
        body: BodyId,
        codes: &[&str],
        comment: Option<&str>,
        today: Date,
    ) -> Result<(), StoreError> {
        let ids = round.statement_ids();
        let submission = Submission::parse(&form(&ids, codes, comment), &ids).unwrap();
        let mut tx = self.s.begin().await?;
        sa::submit(
            &mut tx,
            &who(person),
            round.round.id,
            person,
            body,
            submission,
            today,
        )
        .await?;
        gg_store::commit(tx).await
    }

    pub async fn close(&self, round: RoundId) {
        let version = sa::round(&self.s, round).await.unwrap().round.version;
        let mut tx = self.s.begin().await.unwrap();
        sa::close_round(&mut tx, &admin(), round, version, TODAY)
            .await
            .unwrap();
        gg_store::commit(tx).await.unwrap();
        sa::vacuum(&self.s).await.unwrap();
    }

    pub async fn count(&self, sql: &'static str, round: RoundId) -> i64 {
        sqlx::query_scalar(sql)
            .bind(round.get())
            .fetch_one(&self.pool)
            .await
            .unwrap()
    }
}

/// An answer form: `codes` repeated over `ids`, `comment` (if any) on every statement.
pub fn form(ids: &[StatementId], codes: &[&str], comment: Option<&str>) -> AnswersForm {
    let mut form = AnswersForm::default();
    for (i, id) in ids.iter().enumerate() {
        form.answers.insert(*id, codes[i % codes.len()].to_string());
        if let Some(c) = comment {
            form.comments.insert(*id, c.to_string());
        }
    }
    form
}

pub fn who(person: PersonId) -> Who {
    Who {
        id: Some(person.get()),
        label: format!("persoon {person}"),
    }
}

/// The refusal a write came back with.
pub fn refused(result: Result<(), StoreError>) -> Refusal {
    match result {
        Err(StoreError::Invalid(Invalid::SelfAssessment(r))) => r,
        other => panic!("expected a refusal, got {other:?}"),
    }
}
