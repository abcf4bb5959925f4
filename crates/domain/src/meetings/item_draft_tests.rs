use super::*;
use crate::people::Role;

const RVB: i64 = 1;
const MSB: i64 = 2;
const OTHER: i64 = 9;

fn secretary(bodies: &[i64]) -> Actor {
    Actor {
        person_id: crate::ids::PersonId::new(1),
        roles: [Role::Secretaris].into_iter().collect(),
        bodies: bodies.iter().copied().collect(),
        vakgroepen: Default::default(),
    }
}

fn form() -> ItemForm {
    ItemForm {
        title: "  Begroting 2027 ".into(),
        description: "Toelichting".into(),
        presenter: "Voorzitter".into(),
        planned_minutes: "20".into(),
        purpose: "besluitvorming".into(),
        subject: "algemeen".into(),
        deciding: vec![RVB.to_string(), MSB.to_string()],
        ..Default::default()
    }
}

struct Fixture {
    actor: Actor,
    codes: HashMap<i64, String>,
    items: Vec<AgendaEntry>,
    targets: Vec<ItemLink>,
}

impl Fixture {
    fn new() -> Self {
        Fixture {
            actor: secretary(&[RVB, MSB]),
            codes: [(RVB, "RvB".to_string()), (MSB, "MSB".to_string())].into(),
            items: vec![
                AgendaEntry {
                    id: ItemId::new(10),
                    parent_id: None,
                    visibility_body_id: Some(MSB),
                },
                AgendaEntry {
                    id: ItemId::new(11),
                    parent_id: Some(ItemId::new(10)),
                    visibility_body_id: Some(MSB),
                },
                AgendaEntry {
                    id: ItemId::new(12),
                    parent_id: None,
                    visibility_body_id: None,
                },
                AgendaEntry {
                    id: ItemId::new(13),
                    parent_id: Some(ItemId::new(12)),
                    visibility_body_id: None,
                },
            ],
            targets: vec![ItemLink {
                kind: LinkKind::Afspraak,
                target: 7,
            }],
        }
    }

    fn parse(&self, form: &ItemForm, item_id: Option<i64>) -> Result<ItemDraft, Vec<FieldError>> {
        ItemDraft::parse(
            form,
            &ItemContext {
                actor: &self.actor,
                meeting_bodies: &[RVB, MSB],
                item_id: item_id.map(ItemId::new),
                items: &self.items,
                body_codes: &self.codes,
                targets: &self.targets,
            },
        )
    }

    fn messages(&self, form: &ItemForm, item_id: Option<i64>) -> Vec<(&'static str, String)> {
        self.parse(form, item_id)
            .unwrap_err()
            .into_iter()
            .map(|e| (e.field, e.message))
            .collect()
    }
}

#[test]
fn a_good_form_gives_the_typed_item() {
    let f = Fixture::new();
    let mut typed = form();
    typed.agreements = vec!["7".into(), "7".into()];
    typed.parent = "12".into();
    let draft = f.parse(&typed, None).unwrap();
    assert_eq!(draft.title, "Begroting 2027");
    assert_eq!(draft.planned_minutes, 20);
    assert_eq!(draft.purpose, Purpose::Besluitvorming);
    assert_eq!(draft.subject, Subject::Algemeen);
    assert_eq!(draft.parent_id, Some(ItemId::new(12)));
    assert_eq!(draft.visibility_body_id, None);
    assert_eq!(draft.deciding_bodies, [RVB, MSB]);
    assert_eq!(
        draft.links,
        [ItemLink {
            kind: LinkKind::Afspraak,
            target: 7
        }],
        "a target chosen twice is linked once"
    );
}

#[test]
fn every_field_answers_in_dutch_at_the_field() {
    let f = Fixture::new();
    let bad = ItemForm {
        title: " ".into(),
        description: "x".repeat(text::max::LONG + 1),
        presenter: "x".repeat(text::max::SHORT + 1),
        planned_minutes: "601".into(),
        purpose: "onbekend".into(),
        subject: "".into(),
        visibility: "abc".into(),
        parent: "999".into(),
        deciding: vec![OTHER.to_string()],
        agreements: vec!["8".into()],
        scenarios: vec!["1".into()],
    };
    let fields: Vec<&str> = f.messages(&bad, None).iter().map(|(f, _)| *f).collect();
    for field in [
        "title",
        "description",
        "presenter",
        "planned_minutes",
        "purpose",
        "subject",
        "visibility",
        "deciding",
        "parent",
        "afspraak",
        "scenario",
    ] {
        assert!(fields.contains(&field), "{field} missing in {fields:?}");
    }
}

#[test]
fn a_body_only_item_is_for_a_taking_part_body_of_ones_own_and_decided_by_it_alone() {
    let f = Fixture::new();
    let mut typed = form();
    typed.visibility = OTHER.to_string();
    typed.deciding.clear();
    let m = f.messages(&typed, None);
    assert!(m.contains(&(
        "visibility",
        "Kies een gremium dat deelneemt en waarvan u lid bent.".into()
    )));
    assert!(m.contains(&(
        "deciding",
        "Kies bij besluitvorming welke gremia besluiten.".into()
    )));
    let outsider = Fixture {
        actor: secretary(&[RVB]),
        ..Fixture::new()
    };
    let mut typed = form();
    typed.visibility = MSB.to_string();
    typed.deciding = vec![MSB.to_string()];
    assert!(
        outsider
            .messages(&typed, None)
            .iter()
            .any(|(f, _)| *f == "visibility"),
        "an RvB secretary cannot make an item for MSB only"
    );
    let mut typed = form();
    typed.visibility = MSB.to_string();
    assert!(f.messages(&typed, None).contains(&(
        "deciding",
        "Op een punt dat alleen voor één gremium is, besluit alleen dat gremium.".into()
    )));
}

#[test]
fn sub_items_see_no_more_than_their_parent_and_a_hidden_parent_is_a_missing_one() {
    let f = Fixture::new();
    let mut typed = form();
    typed.parent = "10".into();
    typed.deciding = vec![MSB.to_string()];
    assert!(f.messages(&typed, None).contains(&(
        "parent",
        "Een onderdeel van een punt dat alleen voor MSB is, is ook alleen voor MSB.".into()
    )));
    typed.visibility = MSB.to_string();
    assert!(f.parse(&typed, None).is_ok());

    let rvb_only = Fixture {
        actor: secretary(&[RVB]),
        ..Fixture::new()
    };
    assert!(
        rvb_only
            .messages(&typed, None)
            .contains(&("parent", "Kies een hoofdpunt van deze agenda.".into())),
    );
    let mut own_parent = form();
    own_parent.parent = "12".into();
    assert!(
        f.messages(&own_parent, Some(12))
            .iter()
            .any(|(f, _)| *f == "parent"),
        "an item is not its own parent"
    );
}

#[test]
fn restricting_an_item_with_wider_sub_items_is_refused() {
    let f = Fixture::new();
    let mut typed = form();
    typed.visibility = RVB.to_string();
    typed.deciding = vec![RVB.to_string()];
    assert!(f.messages(&typed, Some(12)).contains(&(
        "visibility",
        "Dit punt heeft onderdelen die niet alleen voor RvB zijn; maak die eerst ook alleen voor RvB."
            .into()
    )));
    assert!(f.parse(&typed, Some(99)).is_ok());
}
