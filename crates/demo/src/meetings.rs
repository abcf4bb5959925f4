//! The demo hospital's joint meeting, to show the compartments on one agenda.

use anyhow::Context;
use domain::meetings::item_draft::ItemDraft;
use domain::meetings::kinds::{MeetingKind, Purpose, Subject};
use store::audit::Who;

/// A joint meeting three weeks from the day the demo is loaded, with an MSB-only and an RvB-only
/// item to show the compartments.
pub(crate) async fn create(
    tx: &mut store::Tx,
    who: &Who,
    bodies: &[store::bodies::Body],
) -> anyhow::Result<()> {
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
    let meeting = domain::meetings::meeting_draft::MeetingDraft {
        title: "Gezamenlijk overleg RvB en MSB+".into(),
        kind: MeetingKind::Gezamenlijk,
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
                purpose: Purpose,
                subject: Subject,
                visibility: Option<i64>,
                deciding: Vec<i64>,
                text: &str| ItemDraft {
        parent_id: None,
        title: title.into(),
        description: text.into(),
        presenter: String::new(),
        planned_minutes: minutes,
        purpose,
        subject,
        visibility_body_id: visibility,
        links: Vec::new(),
        deciding_bodies: deciding,
        standing: None,
    };
    let mut agenda: Vec<ItemDraft> = standing[..3].to_vec();
    agenda.push(item(
        "Uitgangspunten capaciteitsbegroting 2027",
        30,
        Purpose::Besluitvorming,
        Subject::Algemeen,
        None,
        vec![rvb, msb],
        "Voorstel om de capaciteitsbegroting 2027 op te stellen met normtijden en een efficiencyfactor, variant 2 (passende zorg in de norm-fte).",
    ));
    agenda.push(item(
        "Concentratie van electieve orthopedie",
        20,
        Purpose::Bespreking,
        Subject::Algemeen,
        None,
        vec![],
        "Verkenning met de regionale partner; de vakgroepen Orthopedie en Anesthesiologie lichten toe.",
    ));
    agenda.push(item(
        "Interne verdeling honorariumbudget",
        15,
        Purpose::Besluitvorming,
        Subject::FinancieelVrijgevestigd,
        Some(msb),
        vec![msb],
        "Alleen voor het MSB: voorstel voor de verdeelsleutel van het honorariumbudget.",
    ));
    agenda.push(item(
        "Personele aangelegenheid",
        10,
        Purpose::Bespreking,
        Subject::Algemeen,
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
