//! The demo hospital "Ziekenhuis Rijnoever" (fictional): every body with realistic members, two
//! secretaries, a controller, vakgroep representatives, an administrator and an observer, and
//! the vakgroepen of a general hospital. Loading is idempotent.

use crate::auth::password::Passwords;
use anyhow::Context;
use domain::people::{
    BodyCode, BodyKind, Email, EmploymentForm, PersonName, Role, VakgroepCode, VakgroepKind,
};
use std::collections::BTreeSet;
use store::Store;
use store::audit::Who;
use store::bodies::BodyInput;
use store::people::{MembershipInput, PersonInput};
use store::vakgroepen::VakgroepInput;

/// The password of every demo account. Demo accounts are refused when GG_ENV=production.
pub const DEMO_PASSWORD: &str = "Rijnoever-demo-2026";
pub const HOSPITAL: &str = "Ziekenhuis Rijnoever";
const LOADED: &str = "demo_loaded";

use VakgroepKind::{Acuut, Ondersteunend, Poort};

pub const VAKGROEPEN: &[(&str, &str, VakgroepKind)] = &[
    ("ANE", "Anesthesiologie", Ondersteunend),
    ("CAR", "Cardiologie", Poort),
    ("CHI", "Heelkunde", Poort),
    ("DER", "Dermatologie", Poort),
    ("GER", "Klinische geriatrie", Poort),
    ("GYN", "Gynaecologie en verloskunde", Poort),
    ("INT", "Interne geneeskunde", Poort),
    ("IC", "Intensive care", Acuut),
    ("KCL", "Klinische chemie", Ondersteunend),
    ("KAA", "Mondziekten, kaak- en aangezichtschirurgie", Poort),
    ("KIN", "Kindergeneeskunde", Poort),
    ("KNO", "Keel-, neus- en oorheelkunde", Poort),
    ("LON", "Longziekten", Poort),
    ("MDL", "Maag-, darm- en leverziekten", Poort),
    ("MMB", "Medische microbiologie", Ondersteunend),
    ("NEU", "Neurologie", Poort),
    ("NUC", "Nucleaire geneeskunde", Ondersteunend),
    ("OOG", "Oogheelkunde", Poort),
    ("ORT", "Orthopedie", Poort),
    ("PAT", "Pathologie", Ondersteunend),
    ("PLA", "Plastische chirurgie", Poort),
    ("PSY", "Psychiatrie", Poort),
    ("RAD", "Radiologie", Ondersteunend),
    ("REU", "Reumatologie", Poort),
    ("REV", "Revalidatiegeneeskunde", Poort),
    ("SEH", "Spoedeisende geneeskunde", Acuut),
    ("URO", "Urologie", Poort),
];

/// (e-mail, name, roles, memberships as (body, position, employment form), vakgroepen)
type DemoPerson = (
    &'static str,
    &'static str,
    &'static [Role],
    &'static [(&'static str, &'static str, Option<EmploymentForm>)],
    &'static [&'static str],
);

use EmploymentForm::{Dienstverband as D, Vrijgevestigd as V};
use Role::*;

pub const PEOPLE: &[DemoPerson] = &[
    (
        "m.vandenberg@rijnoever.example",
        "Marieke van den Berg",
        &[Bestuurder],
        &[("RvB", "voorzitter", None)],
        &[],
    ),
    (
        "j.verhoeven@rijnoever.example",
        "Joost Verhoeven",
        &[Bestuurder],
        &[("RvB", "lid", None)],
        &[],
    ),
    (
        "f.elamrani@rijnoever.example",
        "Fatima el Amrani",
        &[Bestuurder],
        &[("RvB", "lid", None)],
        &[],
    ),
    (
        "h.koster@rijnoever.example",
        "Hans Koster",
        &[Bestuurder],
        &[("MSB", "voorzitter", Some(V)), ("VMS", "lid", Some(V))],
        &[],
    ),
    (
        "i.meijer@rijnoever.example",
        "Ingrid Meijer",
        &[Bestuurder],
        &[("MSB", "lid", Some(V))],
        &[],
    ),
    (
        "k.bouzid@rijnoever.example",
        "Karim Bouzid",
        &[Bestuurder],
        &[("MSB", "lid", Some(V))],
        &[],
    ),
    (
        "e.degroot@rijnoever.example",
        "Ellen de Groot",
        &[Bestuurder],
        &[("MSB", "lid", Some(V))],
        &[],
    ),
    (
        "t.jacobs@rijnoever.example",
        "Tom Jacobs",
        &[Bestuurder],
        &[("MSB", "lid", Some(V))],
        &[],
    ),
    (
        "s.dijkstra@rijnoever.example",
        "Sophie Dijkstra",
        &[Bestuurder],
        &[("VMSD", "voorzitter", Some(D)), ("VMS", "lid", Some(D))],
        &[],
    ),
    (
        "r.peters@rijnoever.example",
        "Ruben Peters",
        &[Bestuurder],
        &[("VMSD", "lid", Some(D))],
        &[],
    ),
    (
        "a.brouwer@rijnoever.example",
        "Anouk Brouwer",
        &[Bestuurder],
        &[("VMSD", "lid", Some(D))],
        &[],
    ),
    (
        "w.schouten@rijnoever.example",
        "Willem Schouten",
        &[Bestuurder],
        &[("VMS", "voorzitter", Some(V))],
        &[],
    ),
    (
        "n.hermans@rijnoever.example",
        "Noor Hermans",
        &[Bestuurder],
        &[("VMS", "lid", Some(D))],
        &[],
    ),
    (
        "s.bakker@rijnoever.example",
        "Sanne Bakker",
        &[Secretaris],
        &[("RvB", "secretaris", None)],
        &[],
    ),
    (
        "e.mulder@rijnoever.example",
        "Eva Mulder",
        &[Secretaris],
        &[
            ("MSB", "secretaris", None),
            ("VMSD", "secretaris", None),
            ("VMS", "secretaris", None),
        ],
        &[],
    ),
    (
        "r.hendriks@rijnoever.example",
        "Ruud Hendriks",
        &[Controller],
        &[],
        &[],
    ),
    (
        "l.visser@rijnoever.example",
        "Lotte Visser",
        &[Vakgroep],
        &[],
        &["CAR"],
    ),
    (
        "b.dewit@rijnoever.example",
        "Bram de Wit",
        &[Vakgroep],
        &[],
        &["ORT", "CHI"],
    ),
    (
        "p.smit@rijnoever.example",
        "Pieter Smit",
        &[Beheerder],
        &[],
        &[],
    ),
    (
        "h.vos@rijnoever.example",
        "Hanneke Vos",
        &[Toehoorder],
        &[("RvT", "lid", None)],
        &[],
    ),
];

/// Loads the demo hospital unless it is already there.
pub async fn load(store: &Store) -> anyhow::Result<()> {
    if store::settings::get(store, LOADED).await?.is_some() {
        tracing::info!("demo hospital already present");
        return Ok(());
    }
    let hash = Passwords::new().await?.hash(DEMO_PASSWORD).await?;
    let who = Who::system("demo");
    let mut tx = store.begin().await?;
    store::settings::put(&mut tx, LOADED, "1").await?;
    store::settings::put(&mut tx, store::settings::HOSPITAL_NAME, HOSPITAL).await?;

    let rvt = BodyInput {
        code: BodyCode::parse("RvT")?,
        name: "Raad van Toezicht".into(),
        kind: BodyKind::Toezicht,
        sort_order: 90,
        quorum_percent: 50,
        majority: "gewoon".into(),
        seat_employment_form: None,
    };
    store::bodies::create(&mut tx, &who, &rvt).await?;
    for (code, name, kind) in VAKGROEPEN {
        let input = VakgroepInput {
            code: VakgroepCode::parse(code)?,
            name: (*name).into(),
            kind: *kind,
            active: true,
        };
        store::vakgroepen::create(&mut tx, &who, &input).await?;
    }
    let bodies = store::bodies::list_on(&mut tx).await?;
    let vakgroepen = store::vakgroepen::ids_by_code(&mut tx).await?;
    for (email, name, roles, memberships, represents) in PEOPLE {
        let mut input = PersonInput {
            email: Email::parse(email)?,
            name: PersonName::parse(name)?,
            roles: roles.iter().copied().collect(),
            memberships: Vec::new(),
            vakgroepen: BTreeSet::new(),
        };
        for (code, position, form) in *memberships {
            let body = bodies
                .iter()
                .find(|b| b.code == *code)
                .with_context(|| format!("demo body {code}"))?;
            input.memberships.push(MembershipInput {
                body_id: body.id,
                position: (*position).into(),
                employment_form: *form,
            });
        }
        for code in *represents {
            let id = vakgroepen
                .iter()
                .find(|(c, _)| c == code)
                .with_context(|| format!("demo vakgroep {code}"))?
                .1;
            input.vakgroepen.insert(id);
        }
        let id = store::people::create(&mut tx, &who, &input, true).await?;
        store::people::set_password_hash(&mut tx, &who, id, &hash).await?;
    }
    meetings(&mut tx, &who, &bodies).await?;
    store::commit(tx).await?;
    tracing::info!(
        people = PEOPLE.len(),
        vakgroepen = VAKGROEPEN.len(),
        "demo hospital loaded"
    );
    Ok(())
}

/// A joint meeting three weeks from the day the demo is loaded, with an MSB-only and an RvB-only
/// item to show the compartments.
async fn meetings(
    tx: &mut store::Tx,
    who: &Who,
    bodies: &[store::bodies::Body],
) -> anyhow::Result<()> {
    use store::agenda::ItemInput;
    let id_of = |code: &str| {
        bodies
            .iter()
            .find(|b| b.code == code)
            .map(|b| b.id)
            .with_context(|| format!("demo body {code}"))
    };
    let (rvb, msb, vmsd, vms) = (id_of("RvB")?, id_of("MSB")?, id_of("VMSD")?, id_of("VMS")?);
    let day = time::OffsetDateTime::now_utc().date() + time::Duration::weeks(3);
    let start = domain::nl::from_amsterdam(time::PrimitiveDateTime::new(
        day,
        time::macros::time!(16:00),
    ));
    let meeting = store::meetings::MeetingInput {
        title: "Gezamenlijk overleg RvB en MSB+".into(),
        kind: "gezamenlijk".into(),
        starts_at: start,
        ends_at: start + time::Duration::hours(2),
        location: "Bestuurskamer, gebouw A".into(),
        video_url: String::new(),
        bodies: vec![rvb, msb, vmsd, vms],
    };
    let id = store::meetings::create(tx, who, &meeting, None).await?;
    let standing = store::agenda::standing_inputs();
    let item = |title: &str,
                minutes: i32,
                purpose: &str,
                subject: &str,
                visibility: Option<i64>,
                deciding: Vec<i64>,
                text: &str| ItemInput {
        parent_id: None,
        title: title.into(),
        description: text.into(),
        presenter: String::new(),
        planned_minutes: minutes,
        purpose: purpose.into(),
        subject: subject.into(),
        visibility_body_id: visibility,
        links: Vec::new(),
        deciding_bodies: deciding,
        standing: None,
    };
    let mut agenda: Vec<ItemInput> = standing[..3].to_vec();
    agenda.push(item(
        "Uitgangspunten capaciteitsbegroting 2027",
        30,
        "besluitvorming",
        "algemeen",
        None,
        vec![rvb, msb],
        "Voorstel om de capaciteitsbegroting 2027 op te stellen met normtijden en een efficiencyfactor, variant 2 (passende zorg in de norm-fte).",
    ));
    agenda.push(item(
        "Concentratie van electieve orthopedie",
        20,
        "bespreking",
        "algemeen",
        None,
        vec![],
        "Verkenning met de regionale partner; de vakgroepen Orthopedie en Anesthesiologie lichten toe.",
    ));
    agenda.push(item(
        "Interne verdeling honorariumbudget",
        15,
        "besluitvorming",
        "financieel_vrijgevestigd",
        Some(msb),
        vec![msb],
        "Alleen voor het MSB: voorstel voor de verdeelsleutel van het honorariumbudget.",
    ));
    agenda.push(item(
        "Personele aangelegenheid",
        10,
        "bespreking",
        "algemeen",
        Some(rvb),
        vec![],
        "Alleen voor de Raad van Bestuur.",
    ));
    agenda.extend(standing[3..].iter().cloned());
    for (position, input) in agenda.iter().enumerate() {
        store::agenda::add(tx, who, id, position as i32 + 1, input, None, None).await?;
    }
    Ok(())
}
