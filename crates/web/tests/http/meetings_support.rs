//! What the meetings-integrity tests share: the demo's people and bodies, a new meeting, and
//! running a meeting through its status flow.

use crate::support::*;
use axum::http::StatusCode;

/// Secretary of MSB, VMSD and VMS.
pub const EVA: &str = "e.mulder@rijnoever.example";
/// Chair of the MSB (self-employed).
pub const HANS: &str = "h.koster@rijnoever.example";

pub async fn body(c: &Client, code: &str) -> i64 {
    store::bodies::list(c.store.pool())
        .await
        .unwrap()
        .into_iter()
        .find(|b| b.code == code)
        .unwrap_or_else(|| panic!("body {code}"))
        .id
}

/// The demo's joint meeting (RvB, MSB, VMSD, VMS).
pub async fn demo_meeting(c: &Client) -> i64 {
    let rvb = body(c, "RvB").await;
    store::meetings::list_for_bodies(&c.store, &[rvb])
        .await
        .unwrap()
        .into_iter()
        .find(|m| m.title == "Gezamenlijk overleg RvB en MSB+")
        .unwrap()
        .id
        .into()
}

pub async fn item_id(c: &Client, meeting: i64, title: &str) -> i64 {
    store::agenda::items(c.store.pool(), meeting.into())
        .await
        .unwrap()
        .into_iter()
        .find(|i| i.title == title)
        .unwrap_or_else(|| panic!("item {title}"))
        .id
        .into()
}

/// The id at the end of a redirect such as `/vergaderingen/12?ok=aangemaakt`.
pub fn id_of(res: &Response) -> i64 {
    res.location()
        .split('?')
        .next()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .parse()
        .unwrap_or_else(|_| panic!("no id in {}: {}", res.location(), res.body))
}

/// A new joint meeting of these bodies on `date` (dd-mm-jjjj or jjjj-mm-dd).
pub async fn new_meeting(c: &mut Client, title: &str, date: &str, codes: &[&str]) -> i64 {
    let mut ids = Vec::new();
    for code in codes {
        ids.push(body(c, code).await.to_string());
    }
    let mut fields: Vec<(&str, &str)> = vec![
        ("title", title),
        ("kind", "gezamenlijk"),
        ("date", date),
        ("start", "16:00"),
        ("end", "18:00"),
    ];
    fields.extend(ids.iter().map(|b| ("body", b.as_str())));
    let res = c.post("/vergaderingen", &fields).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    id_of(&res)
}

/// A new meeting of the one body `code` alone on `date`, 16:00–18:00.
pub async fn body_meeting(c: &mut Client, title: &str, date: &str, code: &str) -> i64 {
    let body_id = body(c, code).await.to_string();
    let res = c
        .post(
            "/vergaderingen",
            &[
                ("title", title),
                ("kind", "gremium"),
                ("date", date),
                ("start", "16:00"),
                ("end", "18:00"),
                ("body", body_id.as_str()),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    id_of(&res)
}

pub async fn set_status(c: &mut Client, meeting: i64, to: &str) -> Response {
    c.post(&format!("/vergaderingen/{meeting}/status"), &[("naar", to)])
        .await
}

/// Publishes and opens a meeting.
pub async fn open(c: &mut Client, meeting: i64) {
    for to in ["gepubliceerd", "in_vergadering"] {
        let res = set_status(c, meeting, to).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{to}: {}", res.body);
    }
}

/// A second browser on the same app, signed in as `email`.
pub async fn other(c: &Client, email: &str) -> Client {
    let mut other = Client {
        router: c.router.clone(),
        store: c.store.clone(),
        cookies: Default::default(),
        ip: c.ip,
    };
    other.sign_in_as(email).await;
    other
}

pub async fn count(c: &Client, sql: &'static str, id: i64) -> i64 {
    sqlx::query_scalar(sql)
        .bind(id)
        .fetch_one(c.store.pool())
        .await
        .unwrap()
}

/// A new person with these roles and memberships as (body code, function, employment form).
pub async fn add_person(
    c: &Client,
    email: &str,
    roles: &[domain::people::Role],
    memberships: &[(&str, &str, Option<domain::people::EmploymentForm>)],
) -> i64 {
    let mut input = domain::people::PersonDraft {
        email: domain::people::Email::parse(email).unwrap(),
        name: domain::people::PersonName::parse(email.split('@').next().unwrap()).unwrap(),
        roles: roles.iter().copied().collect(),
        memberships: Vec::new(),
        vakgroepen: Default::default(),
    };
    for (code, position, form) in memberships {
        input.memberships.push(domain::people::MembershipDraft {
            body_id: body(c, code).await,
            position: (*position).try_into().unwrap(),
            employment_form: *form,
        });
    }
    let mut tx = c.store.begin().await.unwrap();
    let id = store::people::create(&mut tx, &store::audit::Who::system("test"), &input, false)
        .await
        .unwrap();
    store::commit(tx).await.unwrap();
    id.into()
}
