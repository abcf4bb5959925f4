//! The demo hospital's people and bodies: the vakgroepen of a general hospital, the RvT next to
//! the bodies every installation has, and twenty people with their roles, seats and vakgroepen.

use anyhow::Context;
use domain::meetings::voting::Majority;
use domain::people::{
    BodyCode, BodyKind, Email, EmploymentForm, PersonName, Position, Role, VakgroepCode,
    VakgroepKind,
};
use domain::people::{BodyDraft, VakgroepDraft};
use domain::people::{MembershipDraft, PersonDraft};
use std::collections::BTreeSet;
use store::audit::Who;

use VakgroepKind::{Acuut, Ondersteunend, Poort};

pub(crate) const VAKGROEPEN: &[(&str, &str, VakgroepKind)] = &[
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
    &'static [(&'static str, Position, Option<EmploymentForm>)],
    &'static [&'static str],
);

use EmploymentForm::{Dienstverband as D, Vrijgevestigd as V};
use Position as P;
use Role::*;

pub const PEOPLE: &[DemoPerson] = &[
    (
        "m.vandenberg@rijnoever.example",
        "Marieke van den Berg",
        &[Bestuurder],
        &[("RvB", P::Voorzitter, None)],
        &[],
    ),
    (
        "j.verhoeven@rijnoever.example",
        "Joost Verhoeven",
        &[Bestuurder],
        &[("RvB", P::Lid, None)],
        &[],
    ),
    (
        "f.elamrani@rijnoever.example",
        "Fatima el Amrani",
        &[Bestuurder],
        &[("RvB", P::Lid, None)],
        &[],
    ),
    (
        "h.koster@rijnoever.example",
        "Hans Koster",
        &[Bestuurder],
        &[("MSB", P::Voorzitter, Some(V)), ("VMS", P::Lid, Some(V))],
        &[],
    ),
    (
        "i.meijer@rijnoever.example",
        "Ingrid Meijer",
        &[Bestuurder],
        &[("MSB", P::Lid, Some(V))],
        &[],
    ),
    (
        "k.bouzid@rijnoever.example",
        "Karim Bouzid",
        &[Bestuurder],
        &[("MSB", P::Lid, Some(V))],
        &[],
    ),
    (
        "e.degroot@rijnoever.example",
        "Ellen de Groot",
        &[Bestuurder],
        &[("MSB", P::Lid, Some(V))],
        &[],
    ),
    (
        "t.jacobs@rijnoever.example",
        "Tom Jacobs",
        &[Bestuurder],
        &[("MSB", P::Lid, Some(V))],
        &[],
    ),
    (
        "s.dijkstra@rijnoever.example",
        "Sophie Dijkstra",
        &[Bestuurder],
        &[("VMSD", P::Voorzitter, Some(D)), ("VMS", P::Lid, Some(D))],
        &[],
    ),
    (
        "r.peters@rijnoever.example",
        "Ruben Peters",
        &[Bestuurder],
        &[("VMSD", P::Lid, Some(D))],
        &[],
    ),
    (
        "a.brouwer@rijnoever.example",
        "Anouk Brouwer",
        &[Bestuurder],
        &[("VMSD", P::Lid, Some(D))],
        &[],
    ),
    (
        "w.schouten@rijnoever.example",
        "Willem Schouten",
        &[Bestuurder],
        &[("VMS", P::Voorzitter, Some(V))],
        &[],
    ),
    (
        "n.hermans@rijnoever.example",
        "Noor Hermans",
        &[Bestuurder],
        &[("VMS", P::Lid, Some(D))],
        &[],
    ),
    (
        "s.bakker@rijnoever.example",
        "Sanne Bakker",
        &[Secretaris],
        &[("RvB", P::Secretaris, None)],
        &[],
    ),
    (
        "e.mulder@rijnoever.example",
        "Eva Mulder",
        &[Secretaris],
        &[
            ("MSB", P::Secretaris, None),
            ("VMSD", P::Secretaris, None),
            ("VMS", P::Secretaris, None),
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
        &[("RvT", P::Lid, None)],
        &[],
    ),
];

/// Adds the RvT and the vakgroepen, then the people with their seats, vakgroepen and the demo
/// password hash; returns the bodies.
pub(crate) async fn create(
    tx: &mut store::Tx,
    who: &Who,
    password_hash: &str,
) -> anyhow::Result<Vec<store::bodies::Body>> {
    let rvt = BodyDraft {
        code: BodyCode::parse("RvT")?,
        name: "Raad van Toezicht".into(),
        kind: BodyKind::Toezicht,
        sort_order: 90,
        quorum_percent: 50,
        majority: Majority::Simple,
        seat_employment_form: None,
    };
    store::bodies::create(tx, who, &rvt).await?;
    for (code, name, kind) in VAKGROEPEN {
        let input = VakgroepDraft {
            code: VakgroepCode::parse(code)?,
            name: (*name).into(),
            kind: *kind,
            active: true,
        };
        store::vakgroepen::create(tx, who, &input).await?;
    }
    let bodies = store::bodies::list(&mut **tx).await?;
    let vakgroepen = store::vakgroepen::ids_by_code(tx).await?;
    for (email, name, roles, memberships, represents) in PEOPLE {
        let mut input = PersonDraft {
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
            input.memberships.push(MembershipDraft {
                body_id: body.id,
                position: *position,
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
        let id = store::people::create(tx, who, &input, true).await?;
        store::people::set_password_hash(tx, who, id, password_hash).await?;
    }
    Ok(bodies)
}
