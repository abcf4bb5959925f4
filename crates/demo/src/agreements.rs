//! The demo hospital's agreements register: a dozen agreements between the boards, dated from the
//! day the demo is loaded, so that every part of the register has something to show — lights of
//! every colour, an overdue agreement and a due review on the joint agenda, a body-only
//! agreement, an insurer deviation, and a compliance rate over the past quarters.

use anyhow::Context;
use domain::agreements::draft::Party;
use domain::agreements::kinds::{AgreementKind, AgreementStatus, JzojpTheme, PartyKind, SevenS};
use domain::agreements::kpi::Direction;
use domain::agreements::progress::{KpiDraft, MeasurementDraft};
use domain::nl;
use rust_decimal::Decimal;
use store::Store;
use store::agreements::AgreementInput;
use store::audit::Who;
use time::{Date, Duration, OffsetDateTime};

const LOADED: &str = "demo_agreements_loaded";

struct Demo {
    title: &'static str,
    description: &'static str,
    kind: &'static str,
    /// (party kind, label or vakgroep code, owner's e-mail)
    parties: &'static [(&'static str, &'static str, &'static str)],
    seven_s: &'static [&'static str],
    theme: Option<&'static str>,
    /// Start and due date in days from today.
    start: i64,
    due: i64,
    review_months: Option<i16>,
    /// A body code for a body-only agreement.
    only: Option<&'static str>,
    insurer_deviation: &'static str,
    /// The status steps taken, each with a reason, and the day (from today) it was realised.
    steps: &'static [(AgreementStatus, &'static str)],
    realised: Option<i64>,
    /// (name, unit, direction, baseline, target, measurements as (day from today, value)).
    kpi: Option<Kpi>,
}

struct Kpi {
    name: &'static str,
    unit: &'static str,
    direction: &'static str,
    baseline: i64,
    target: i64,
    measurements: &'static [(i64, i64)],
}

use AgreementStatus::{Gerealiseerd, InUitvoering, NietNagekomen, Vastgesteld};

const AGREEMENTS: &[Demo] = &[
    Demo {
        title: "Capaciteitsbegroting 2027 samen opstellen en vaststellen",
        description: "RvB en MSB+ stellen de begroting op in één capaciteitsmodel: normtijden, normuren en norm-fte per vakgroep, met de trendinput van de vakgroepen.",
        kind: "strategische_keuze",
        parties: &[
            ("rvb", "", "m.vandenberg@rijnoever.example"),
            ("msb_plus", "", "h.koster@rijnoever.example"),
        ],
        seven_s: &["strategie", "systemen"],
        theme: None,
        start: -120,
        due: 45,
        review_months: Some(1),
        only: None,
        insurer_deviation: "",
        steps: &[(InUitvoering, "")],
        realised: None,
        kpi: None,
    },
    Demo {
        title: "Wachttijd polikliniek orthopedie terug naar vier weken",
        description: "Extra spreekuurcapaciteit en triage door de physician assistant; maandelijks gemeten.",
        kind: "monitoring",
        parties: &[
            ("vakgroep", "ORT", "b.dewit@rijnoever.example"),
            ("rvb", "", "j.verhoeven@rijnoever.example"),
        ],
        seven_s: &["structuur", "personeel"],
        theme: Some("gepaste_zorg"),
        start: -200,
        due: 160,
        review_months: Some(3),
        only: None,
        insurer_deviation: "",
        steps: &[(InUitvoering, "")],
        realised: None,
        kpi: Some(Kpi {
            name: "Toegangstijd polikliniek",
            unit: "dagen",
            direction: "lager_beter",
            baseline: 49,
            target: 28,
            measurements: &[(-190, 48), (-130, 51), (-70, 55), (-10, 58)],
        }),
    },
    Demo {
        title: "Tonsillectomie bij volwassenen in dagbehandeling",
        description: "Het zorgpad wordt aangepast zodat de ingreep standaard in dagbehandeling plaatsvindt.",
        kind: "protocol",
        parties: &[
            ("vakgroep", "KNO", "l.visser@rijnoever.example"),
            ("msb_plus", "", "i.meijer@rijnoever.example"),
        ],
        seven_s: &["systemen", "vaardigheden"],
        theme: Some("gepaste_zorg"),
        start: -150,
        due: 210,
        review_months: None,
        only: None,
        insurer_deviation: "",
        steps: &[(InUitvoering, "")],
        realised: None,
        kpi: Some(Kpi {
            name: "Aandeel in dagbehandeling",
            unit: "%",
            direction: "hoger_beter",
            baseline: 55,
            target: 80,
            measurements: &[(-140, 56), (-80, 58), (-20, 60)],
        }),
    },
    Demo {
        title: "Thuismonitoring bij hartfalen uitbreiden",
        description: "Patiënten met stabiel hartfalen worden thuis gevolgd; de poli ziet hen alleen bij signalen.",
        kind: "monitoring",
        parties: &[
            ("vakgroep", "CAR", "l.visser@rijnoever.example"),
            ("rvb", "", "f.elamrani@rijnoever.example"),
        ],
        seven_s: &["systemen"],
        theme: Some("zorg_thuis"),
        start: -330,
        due: -60,
        review_months: None,
        only: None,
        insurer_deviation: "",
        steps: &[(InUitvoering, ""), (Gerealiseerd, "")],
        realised: Some(-75),
        kpi: Some(Kpi {
            name: "Patiënten in thuismonitoring",
            unit: "patiënten",
            direction: "hoger_beter",
            baseline: 40,
            target: 150,
            measurements: &[(-300, 45), (-200, 90), (-100, 140), (-76, 156)],
        }),
    },
    Demo {
        title: "Stabiele diabetespatiënten terug naar de huisarts",
        description: "Afspraken met de huisartsenkring over terugverwijzing en consultatie op afstand.",
        kind: "actie",
        parties: &[
            (
                "regionale_partner",
                "Huisartsenkring Rijnoever",
                "k.bouzid@rijnoever.example",
            ),
            ("rvb", "", "j.verhoeven@rijnoever.example"),
        ],
        seven_s: &["structuur"],
        theme: Some("eerste_lijn"),
        start: -180,
        due: -14,
        review_months: None,
        only: None,
        insurer_deviation: "",
        steps: &[(InUitvoering, "")],
        realised: None,
        kpi: None,
    },
    Demo {
        title: "Complexe oncologische chirurgie concentreren in het netwerk",
        description: "Voorstel om slokdarm- en pancreaschirurgie in één netwerkziekenhuis te concentreren.",
        kind: "strategische_keuze",
        parties: &[
            (
                "regionale_partner",
                "Oncologienetwerk Midden",
                "m.vandenberg@rijnoever.example",
            ),
            ("msb_plus", "", "h.koster@rijnoever.example"),
        ],
        seven_s: &["strategie", "gedeelde_waarden"],
        theme: Some("hoog_complex"),
        start: 0,
        due: 300,
        review_months: None,
        only: None,
        insurer_deviation: "",
        steps: &[],
        realised: None,
        kpi: None,
    },
    Demo {
        title: "Gezamenlijk aannamebeleid medisch specialisten",
        description: "Elke vacature krijgt een profiel dat RvB en vakgroep samen opstellen en dat past bij de strategie.",
        kind: "personeel",
        parties: &[
            ("rvb", "", "f.elamrani@rijnoever.example"),
            ("msb_plus", "", "e.degroot@rijnoever.example"),
        ],
        seven_s: &["personeel", "gedeelde_waarden"],
        theme: None,
        start: -300,
        due: -150,
        review_months: None,
        only: None,
        insurer_deviation: "",
        steps: &[(InUitvoering, ""), (Gerealiseerd, "")],
        realised: Some(-120),
        kpi: None,
    },
    Demo {
        title: "OK-capaciteit in de avonduren benutten",
        description: "Twee extra avondsessies per week voor de orthopedie.",
        kind: "actie",
        parties: &[("vakgroep", "ORT", "b.dewit@rijnoever.example")],
        seven_s: &["structuur"],
        theme: None,
        start: -260,
        due: -100,
        review_months: None,
        only: None,
        insurer_deviation: "",
        steps: &[
            (InUitvoering, ""),
            (
                NietNagekomen,
                "Onvoldoende anesthesiemedewerkers voor de avondsessies.",
            ),
        ],
        realised: None,
        kpi: None,
    },
    Demo {
        title: "Verdeelmodel honorarium evalueren",
        description: "Het MSB evalueert of de vaste component per formatieve fte de gezamenlijke strategie ondersteunt.",
        kind: "financieel",
        parties: &[("msb_plus", "", "t.jacobs@rijnoever.example")],
        seven_s: &["systemen", "stijl"],
        theme: None,
        start: -200,
        due: 120,
        review_months: Some(3),
        only: Some("MSB"),
        insurer_deviation: "",
        steps: &[],
        realised: None,
        kpi: None,
    },
    Demo {
        title: "Productieplafond zorgverzekeraar orthopedie",
        description: "Het begrote volume heupprothesen ligt boven het plafond in het contract van de grootste zorgverzekeraar.",
        kind: "financieel",
        parties: &[
            (
                "verzekeraar",
                "Zorgverzekeraar Noord",
                "m.vandenberg@rijnoever.example",
            ),
            ("vakgroep", "ORT", "b.dewit@rijnoever.example"),
        ],
        seven_s: &["strategie"],
        theme: Some("laag_complex"),
        start: -30,
        due: 90,
        review_months: Some(1),
        only: None,
        insurer_deviation: "Circa 6 % meer heupprothesen begroot dan het contract toestaat; in gesprek over een aanvullende afspraak.",
        steps: &[],
        realised: None,
        kpi: None,
    },
];

fn decimal(n: i64) -> Decimal {
    Decimal::from(n)
}

/// Loads the demo agreements unless they are already there. Call after [`crate::load`]: the
/// parties are its people and vakgroepen.
pub async fn load(store: &Store) -> anyhow::Result<()> {
    if store::settings::get(store, LOADED).await?.is_some() {
        return Ok(());
    }
    // The register's lights count in Amsterdam days.
    let today: Date = nl::to_amsterdam(OffsetDateTime::now_utc()).date();
    let who = Who::system("demo");
    let people = store::people::list(store).await?;
    let person = |email: &str| {
        people
            .iter()
            .find(|p| p.email == email)
            .map(|p| p.id)
            .with_context(|| format!("demo person {email}"))
    };
    let vakgroepen = store::vakgroepen::list(store).await?;
    let bodies = store::bodies::list(store.pool()).await?;
    let mut tx = store.begin().await?;
    store::settings::put(&mut tx, LOADED, "1").await?;
    for demo in AGREEMENTS {
        let mut parties = Vec::new();
        for (kind, label, owner) in demo.parties {
            let vakgroep_id = if *kind == "vakgroep" {
                Some(
                    vakgroepen
                        .iter()
                        .find(|v| v.code == *label)
                        .map(|v| v.id)
                        .with_context(|| format!("demo vakgroep {label}"))?,
                )
            } else {
                None
            };
            parties.push(Party {
                kind: PartyKind::try_from(*kind)?,
                label: if vakgroep_id.is_some() {
                    String::new()
                } else {
                    (*label).into()
                },
                vakgroep_id,
                owner_id: Some(person(owner)?),
            });
        }
        let input = AgreementInput {
            kind: AgreementKind::try_from(demo.kind)?,
            title: demo.title.into(),
            description: demo.description.into(),
            owner_id: None,
            parties,
            seven_s: demo
                .seven_s
                .iter()
                .map(|&s| SevenS::try_from(s))
                .collect::<Result<_, _>>()?,
            theme: demo.theme.map(JzojpTheme::try_from).transpose()?,
            start_date: Some(today + Duration::days(demo.start)),
            due_date: Some(today + Duration::days(demo.due)),
            review_months: demo.review_months,
            visibility_body_id: demo
                .only
                .and_then(|code| bodies.iter().find(|b| b.code == code).map(|b| b.id)),
            origin_meeting_id: None,
            origin_item_id: None,
            origin_decision_id: None,
            insurer_deviation: demo.insurer_deviation.into(),
            budget_scenario_id: None,
        };
        let status = if demo.steps.is_empty() && demo.start >= 0 {
            AgreementStatus::Voorgesteld
        } else {
            Vastgesteld
        };
        let id = store::agreements::create(&mut tx, &who, &input, status).await?;
        if let Some(kpi) = &demo.kpi {
            let kpi_id = store::agreements::add_kpi(
                &mut tx,
                &who,
                id,
                &KpiDraft {
                    name: kpi.name.into(),
                    unit: kpi.unit.into(),
                    direction: Direction::try_from(kpi.direction)?,
                    baseline: decimal(kpi.baseline),
                    target: decimal(kpi.target),
                },
            )
            .await?;
            for (day, value) in kpi.measurements {
                let m = MeasurementDraft {
                    measured_on: today + Duration::days(*day),
                    value: decimal(*value),
                    note: String::new(),
                };
                store::agreements::add_measurement(&mut tx, &who, kpi_id, &m).await?;
            }
        }
        for (version, (to, reason)) in (1..).zip(demo.steps.iter()) {
            let realised = demo.realised.map(|d| today + Duration::days(d));
            store::agreements::change_status(&mut tx, &who, id, version, *to, reason, realised)
                .await?;
        }
    }
    store::commit(tx).await?;
    tracing::info!(agreements = AGREEMENTS.len(), "demo agreements loaded");
    Ok(())
}
