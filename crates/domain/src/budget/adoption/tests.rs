use super::canonical::{content_hash, to_canonical};
use super::*;
use crate::budget::{CareProduct, VakgroepInput};
use rust_decimal::dec;
use serde_json::json;

fn vakgroep(id: i64, minutes: Decimal, baseline: Decimal) -> VakgroepInput {
    VakgroepInput {
        id,
        code: format!("V{id}"),
        normuren_per_fte: Some(dec!(1000)),
        formatief_fte: dec!(2.5),
        last_year_norm_fte: None,
        products: vec![CareProduct {
            id: id * 10,
            code: format!("P{id}"),
            norm_minutes: minutes,
            baseline,
        }],
        kpis: vec![],
        trends: vec![],
    }
}

fn inputs() -> Inputs {
    Inputs {
        year: 2027,
        engine: BudgetInput {
            vakgroepen: vec![
                vakgroep(1, dec!(60), dec!(1200)),
                vakgroep(2, dec!(30), dec!(800)),
            ],
        },
        params: Scenario::default(),
        year_frame: Some(YearFrame {
            fee_budget: Some(dec!(1000000.00)),
            fixed_share: dec!(0.25),
            band_min: Some(dec!(0.9)),
            band_max: Some(dec!(1.15)),
        }),
        placement: EarmarkPlacement::OnTop,
        last_year_source: "Vastgestelde begroting 2026".into(),
        last_year: vec![
            Amount {
                vakgroep_id: 1,
                amount: dec!(600000.00),
            },
            Amount {
                vakgroep_id: 2,
                amount: dec!(400000.00),
            },
        ],
        own_bands: vec![],
    }
}

fn snapshot(inputs: Inputs) -> Snapshot {
    Snapshot::build(
        json!({"scenario": "Basis"}),
        json!({"vakgroepen": ["V1", "V2"]}),
        inputs,
    )
    .unwrap()
}

#[test]
fn canonical_form_sorts_keys_and_has_no_whitespace() {
    let a = json!({"b": 1, "a": {"d": "x", "c": [true, null, "é\"\n"]}});
    assert_eq!(
        to_canonical(&a).unwrap(),
        r#"{"a":{"c":[true,null,"é\"\n"],"d":"x"},"b":1}"#
    );
}

#[test]
fn canonical_form_does_not_depend_on_the_order_of_keys() {
    let a: Value = serde_json::from_str(r#"{"x": "1.50", "y": {"q": 1, "p": 2}}"#).unwrap();
    let b: Value = serde_json::from_str(r#"{"y": {"p": 2, "q": 1}, "x": "1.50"}"#).unwrap();
    assert_eq!(to_canonical(&a).unwrap(), to_canonical(&b).unwrap());
}

#[test]
fn decimals_are_strings_with_their_scale_and_floats_are_refused() {
    assert_eq!(to_canonical(&dec!(12.50)).unwrap(), r#""12.50""#);
    assert!(to_canonical(&json!({"f": 1.5})).is_err());
}

const HASH_OF_A_1: &str = "9afeb0f2b203f254312ec8ded441d0318b7c34c57f8695ede42d2215a30c0960";

#[test]
fn the_hash_is_stable_and_known() {
    // Recomputable with any tool: printf '%s' '{"a":"1"}' | sha256sum
    assert_eq!(content_hash(r#"{"a":"1"}"#), HASH_OF_A_1);
    let (text, hash) = snapshot(inputs()).seal().unwrap();
    let (again, hash_again) = snapshot(inputs()).seal().unwrap();
    assert_eq!((text, hash), (again, hash_again));
}

#[test]
fn the_hash_changes_when_any_input_changes() {
    let (_, base) = snapshot(inputs()).seal().unwrap();
    type Change = Box<dyn Fn(&mut Inputs)>;
    let changes: Vec<Change> = vec![
        Box::new(|i| i.engine.vakgroepen[0].products[0].baseline = dec!(1201)),
        Box::new(|i| i.engine.vakgroepen[1].products[0].norm_minutes = dec!(31)),
        Box::new(|i| i.engine.vakgroepen[0].formatief_fte = dec!(2.6)),
        Box::new(|i| i.year_frame.as_mut().unwrap().fixed_share = dec!(0.3)),
        Box::new(|i| i.year_frame.as_mut().unwrap().band_max = Some(dec!(1.2))),
        Box::new(|i| i.last_year[0].amount = dec!(600000.01)),
        Box::new(|i| {
            i.own_bands.push(OwnBand {
                vakgroep_id: 2,
                band: Band {
                    floor: dec!(0.95),
                    cap: dec!(1.05),
                },
            })
        }),
        Box::new(|i| i.placement = EarmarkPlacement::OutOfBudget),
    ];
    for (n, change) in changes.iter().enumerate() {
        let mut changed = inputs();
        change(&mut changed);
        let (_, hash) = snapshot(changed).seal().unwrap();
        assert_ne!(hash, base, "change {n} kept the hash");
    }
}

#[test]
fn sealing_writes_the_canonical_text_of_the_whole_snapshot() {
    let s = snapshot(inputs());
    let (text, hash) = s.seal().unwrap();
    assert_eq!(text, canonical::to_canonical(&s).unwrap());
    assert_eq!(hash, canonical::content_hash(&text));
}

#[test]
fn a_sealed_snapshot_verifies_and_a_changed_one_does_not() {
    let (text, hash) = snapshot(inputs()).seal().unwrap();
    let s = verify(&text, &hash).unwrap();
    assert!(s.results.distribution.get("verdeling").is_some());
    // Per vakgroep and hospital, without the lines per care product (recomputed from inputs).
    let vakgroepen = s.results.engine["vakgroepen"].as_array().unwrap();
    assert!(!vakgroepen.is_empty());
    assert!(
        vakgroepen
            .iter()
            .all(|v| v.get("products").is_none() && v.get("norm_hours").is_some())
    );
    assert!(!s.inputs.engine.vakgroepen[0].products.is_empty());

    let tampered = text.replacen("\"1200\"", "\"1300\"", 1);
    assert_ne!(tampered, text);
    assert!(matches!(
        verify(&tampered, &hash),
        Err(AdoptionError::Hash { .. })
    ));
    // Re-hashed by whoever changed it: the recomputation still finds it.
    let rehashed = content_hash(&tampered);
    assert_eq!(
        verify(&tampered, &rehashed),
        Err(AdoptionError::Result("the engine"))
    );
    let pretty =
        serde_json::to_string_pretty(&serde_json::from_str::<Value>(&text).unwrap()).unwrap();
    assert_eq!(
        verify(&pretty, &content_hash(&pretty)),
        Err(AdoptionError::NotCanonical)
    );
}

#[test]
fn no_frame_is_kept_as_its_reason() {
    let mut i = inputs();
    i.year_frame = None;
    let s = snapshot(i);
    assert!(
        s.results.distribution["geen_verdeling"]
            .as_str()
            .unwrap()
            .contains("2027")
    );
    let (text, hash) = s.seal().unwrap();
    verify(&text, &hash).unwrap();
}

fn decision(body_id: i64, outcome: DecisionOutcome) -> BodyDecision {
    BodyDecision {
        body_id,
        outcome,
        text: "Vastgesteld".into(),
    }
}

#[test]
fn adopted_only_when_every_deciding_body_adopted() {
    use DecisionOutcome::*;
    let deciding = [1, 2];
    assert_eq!(
        verdict(&deciding, &[decision(1, Aangenomen)]),
        Verdict::Open
    );
    assert_eq!(
        verdict(
            &deciding,
            &[decision(1, Aangenomen), decision(2, Aangenomen)]
        ),
        Verdict::Adopt
    );
    assert_eq!(
        verdict(
            &deciding,
            &[decision(1, Aangenomen), decision(2, Verworpen)]
        ),
        Verdict::Close(ProposalStatus::Verdeeld)
    );
    assert_eq!(
        verdict(&deciding, &[decision(1, Verworpen), decision(2, Verworpen)]),
        Verdict::Close(ProposalStatus::Verworpen)
    );
    assert_eq!(
        verdict(
            &deciding,
            &[decision(1, Aangehouden), decision(2, Aangehouden)]
        ),
        Verdict::Close(ProposalStatus::NietVastgesteld)
    );
    // A body that does not decide on the item does not count.
    assert_eq!(
        verdict(
            &deciding,
            &[decision(1, Aangenomen), decision(3, Aangenomen)]
        ),
        Verdict::Open
    );
}

#[test]
fn the_rvb_and_the_msb_decide() {
    let body = |id, kind, seats, sort_order| BodyRef {
        id,
        kind,
        seats,
        sort_order,
    };
    let bodies = [
        body(1, BodyKind::Bestuur, None, 10),
        body(2, BodyKind::MsbPlus, None, 20),
        body(
            3,
            BodyKind::MsbPlus,
            Some(EmploymentForm::Vrijgevestigd),
            30,
        ),
        body(4, BodyKind::Toezicht, None, 5),
    ];
    assert_eq!(deciding_bodies(&bodies), Some(vec![1, 3]));
    assert_eq!(deciding_bodies(&bodies[..2]), Some(vec![1, 2]));
    assert_eq!(deciding_bodies(&bodies[1..]), None);
    assert_eq!(deciding_bodies(&bodies[..1]), None);
}
