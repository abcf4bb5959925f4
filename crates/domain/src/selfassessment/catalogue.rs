//! The default statement catalogue (C1): what a new hospital starts with, and the seed of the
//! editable catalogue in the store.
//!
//! The statements are written for this product on the basis of the recommendations per S in the
//! SiRM report (seed 000, §3.1–3.5) and the practical guidelines of the Stroomversneller (seed
//! 002); `source` says where each idea comes from. Every statement is phrased so that agreeing
//! means being more aligned: a 5 is always the good end, so means of different statements can be
//! pooled per S without reversing any of them. Each statement is about one thing, so that a
//! respondent who agrees with half of it does not have to choose.
//!
//! Keys are stable (`strategie-1`): the store copies a key into every round, so that a statement
//! can be followed across rounds even after its text was polished.

use crate::agreements::kinds::SevenS;

/// A statement of the catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CatalogueStatement {
    /// Stable key: the S's code with dashes, a dash and a number (`gedeelde-waarden-3`).
    pub key: &'static str,
    pub s: SevenS,
    /// The statement as respondents read it.
    pub text: &'static str,
    /// Where the idea comes from, for the secretary who edits the catalogue.
    pub source: &'static str,
}

impl CatalogueStatement {
    /// Strategy, structure and systems are the hard factors of the 7S model.
    pub fn is_hard(&self) -> bool {
        self.s.is_hard()
    }
}

const fn st(
    key: &'static str,
    s: SevenS,
    text: &'static str,
    source: &'static str,
) -> CatalogueStatement {
    CatalogueStatement {
        key,
        s,
        text,
        source,
    }
}

use SevenS::*;

/// The default catalogue in the model's order: 42 statements, 5 to 7 per S.
pub const DEFAULT_CATALOGUE: &[CatalogueStatement] = &[
    // Gedeelde waarden (SiRM §3.1): values that are written down, lived by the leaders and anchored
    // in quality of care.
    st(
        "gedeelde-waarden-1",
        GedeeldeWaarden,
        "RvB en MSB+ hebben samen vastgelegd welke waarden richting geven aan hun samenwerking.",
        "SiRM §3.1.2; Stroomversneller",
    ),
    st(
        "gedeelde-waarden-2",
        GedeeldeWaarden,
        "Wanneer belangen botsen, geeft de kwaliteit van zorg voor de patiënt bij ons de doorslag.",
        "SiRM §3.1.3; Stroomversneller",
    ),
    st(
        "gedeelde-waarden-3",
        GedeeldeWaarden,
        "De bestuurders van RvB en MSB+ handelen zichtbaar naar de waarden die we samen hebben afgesproken.",
        "SiRM §3.1.1; Stroomversneller",
    ),
    st(
        "gedeelde-waarden-4",
        GedeeldeWaarden,
        "We durven elkaar aan te spreken als een besluit of een gedraging niet past bij onze gedeelde waarden.",
        "SiRM §3.1",
    ),
    st(
        "gedeelde-waarden-5",
        GedeeldeWaarden,
        "RvB en MSB+ delen een visie op wat Juiste Zorg op de Juiste Plek voor dit ziekenhuis betekent.",
        "SiRM §2.3, §3.1.2",
    ),
    st(
        "gedeelde-waarden-6",
        GedeeldeWaarden,
        "Bij veranderingen in de zorg betrekken we het patiëntperspectief, bijvoorbeeld via de cliëntenraad, vroeg en niet alleen omdat het moet.",
        "SiRM §3.1.1",
    ),
    // Strategie (SiRM §3.2): clear choices, in line with partners and insurers, carried into
    // hiring, and not optional.
    st(
        "strategie-1",
        Strategie,
        "We hebben samen duidelijk gekozen welke zorg dit ziekenhuis wel en welke het niet biedt.",
        "SiRM §3.2.1; Stroomversneller",
    ),
    st(
        "strategie-2",
        Strategie,
        "Onze strategie is afgestemd met huisartsen, andere ziekenhuizen en andere partners in de regio.",
        "SiRM §3.2.2; Stroomversneller",
    ),
    st(
        "strategie-3",
        Strategie,
        "De afspraken met zorgverzekeraars, bij voorkeur voor meerdere jaren, ondersteunen de strategie die RvB en MSB+ samen kozen.",
        "SiRM §3.2.2",
    ),
    st(
        "strategie-4",
        Strategie,
        "Onze strategische keuzes zijn terug te zien in wie we aannemen en welke plaatsen we opnieuw invullen.",
        "SiRM §3.2.3; Stroomversneller",
    ),
    st(
        "strategie-5",
        Strategie,
        "Afspraken over strategische keuzes zijn bij ons niet vrijblijvend: ze worden uitgevoerd, ook als dat een vakgroep of afdeling iets kost.",
        "SiRM §3.2.4; Stroomversneller",
    ),
    st(
        "strategie-6",
        Strategie,
        "De gezamenlijke strategie is zo concreet dat iedere vakgroep weet wat er van haar wordt verwacht.",
        "SiRM §3.2.4",
    ),
    // Structuur (SiRM §3.3): joint meetings, mandate, one medical body, the distribution model and
    // the hospital's own incentives.
    st(
        "structuur-1",
        Structuur,
        "RvB en MSB+ vergaderen samen met één agenda, en elk bestuur neemt daarin formeel zijn eigen besluiten.",
        "SiRM §3.3.1; Stroomversneller",
    ),
    st(
        "structuur-2",
        Structuur,
        "Wie namens de medisch specialisten aan tafel zit, heeft het mandaat om te spreken voor vrijgevestigde specialisten én voor specialisten in dienstverband.",
        "SiRM §3.3.1",
    ),
    st(
        "structuur-3",
        Structuur,
        "Het is duidelijk welk onderwerp aan welke tafel wordt besproken en wie erover beslist.",
        "SiRM §3.3.3",
    ),
    st(
        "structuur-4",
        Structuur,
        "Het verdeelmodel van het MSB ondersteunt de gezamenlijke strategie en beloont niet vooral extra productie.",
        "SiRM §3.3.4; Stroomversneller",
    ),
    st(
        "structuur-5",
        Structuur,
        "Het MSB is open tegenover de RvB over hoe zijn verdeelmodel werkt en welke prikkels erin zitten.",
        "SiRM §3.3.2, §3.3.4",
    ),
    st(
        "structuur-6",
        Structuur,
        "De financiële prikkels van het ziekenhuis zelf werken de gezamenlijke strategie niet tegen.",
        "SiRM §3.3.5; Stroomversneller",
    ),
    st(
        "structuur-7",
        Structuur,
        "De goodwill van de medisch specialisten is collectief geregeld, zodat de samenstelling van de staf met de strategie kan meebewegen.",
        "SiRM §3.3.6; Stroomversneller",
    ),
    // Systemen (SiRM §3.4): timely monitoring, shared figures, data exchange and shared protocols.
    st(
        "systemen-1",
        Systemen,
        "We volgen de uitvoering van gemaakte afspraken op tijd, met cijfers die er zijn wanneer we nog kunnen bijsturen.",
        "SiRM §3.4.2; Stroomversneller",
    ),
    st(
        "systemen-2",
        Systemen,
        "RvB en MSB+ werken met dezelfde gegevens over productie, capaciteit en geld.",
        "SiRM §3.4.2",
    ),
    st(
        "systemen-3",
        Systemen,
        "Elke afspraak tussen de besturen is op één plek vastgelegd, met een eigenaar en een termijn.",
        "SiRM §3.4.2, §3.5.4",
    ),
    st(
        "systemen-4",
        Systemen,
        "Patiëntgegevens kunnen op tijd en veilig worden gedeeld met de zorgverleners met wie we samenwerken.",
        "SiRM §3.4.1; Stroomversneller",
    ),
    st(
        "systemen-5",
        Systemen,
        "Met onze samenwerkingspartners werken we volgens protocollen en richtlijnen die we samen hebben opgesteld.",
        "SiRM §3.4.3; Stroomversneller",
    ),
    st(
        "systemen-6",
        Systemen,
        "Waar systemen niet op elkaar aansluiten, vangen we dat op (bijvoorbeeld met een zorgcoördinator), zodat de patiënt er niets van merkt.",
        "SiRM §3.4.4; Stroomversneller",
    ),
    // Personeel (SiRM §3.5.1–3.5.2): shared hiring advice, profiles that fit the strategy, room
    // and a path for medical leaders.
    st(
        "personeel-1",
        Personeel,
        "RvB en MSB geven elkaar advies bij de werving van medisch specialisten, en dat advies weegt zwaar.",
        "SiRM §3.3.2, §3.5.2; Stroomversneller",
    ),
    st(
        "personeel-2",
        Personeel,
        "Het profiel voor een nieuwe specialist stellen RvB en MSB+ samen op, passend bij de gezamenlijke strategie.",
        "SiRM §3.5.2",
    ),
    st(
        "personeel-3",
        Personeel,
        "Als een specialist vertrekt, bekijken we samen of en met welk profiel de plaats opnieuw wordt ingevuld.",
        "SiRM §3.5.2",
    ),
    st(
        "personeel-4",
        Personeel,
        "Over de inzet van verpleegkundig specialisten en physician assistants beslissen RvB en MSB+ in overleg.",
        "SiRM §3.5.2",
    ),
    st(
        "personeel-5",
        Personeel,
        "Specialisten met belangstelling voor besturen worden vroeg herkend en krijgen ruimte om daarin te groeien.",
        "SiRM §3.5.1",
    ),
    st(
        "personeel-6",
        Personeel,
        "Bestuurders van het MSB krijgen voldoende tijd vrij van zorgtaken, en hun vakgroep krijgt hulp om dat op te vangen.",
        "SiRM §3.5.1",
    ),
    // Vaardigheden (SiRM §3.5.1, §3.5.4): governance is a profession that needs knowledge,
    // financial literacy and the craft of deciding and following up.
    st(
        "vaardigheden-1",
        Vaardigheden,
        "De leden van beide besturen kennen de regels van goed bestuur en de taakverdeling tussen RvB, MSB, VMSD en VMS.",
        "SiRM §3.5.1; Stroomversneller",
    ),
    st(
        "vaardigheden-2",
        Vaardigheden,
        "De bestuurders kunnen een begroting, een capaciteitsplan en een verdeelmodel goed lezen en op waarde schatten.",
        "SiRM §3.5.1",
    ),
    st(
        "vaardigheden-3",
        Vaardigheden,
        "Besluiten worden zo helder geformuleerd dat er achteraf geen verschil van mening is over wat er is besloten.",
        "SiRM §3.5.4",
    ),
    st(
        "vaardigheden-4",
        Vaardigheden,
        "We zijn goed in staat de uitvoering van besluiten te volgen en tijdig bij te sturen.",
        "SiRM §3.5.4",
    ),
    st(
        "vaardigheden-5",
        Vaardigheden,
        "Bestuurders krijgen scholing en begeleiding om het vak van besturen goed uit te oefenen.",
        "SiRM §3.5.1; Stroomversneller",
    ),
    // Stijl (SiRM §3.5.3–3.5.5): trust, openness about disagreement, keeping agreements, a
    // leadership style that connects, and respect for professional autonomy.
    st(
        "stijl-1",
        Stijl,
        "Tussen RvB en MSB+ bestaat wederzijds vertrouwen.",
        "SiRM §3.5.5; Stroomversneller",
    ),
    st(
        "stijl-2",
        Stijl,
        "Meningsverschillen bespreken we openlijk aan tafel, niet in de wandelgangen.",
        "SiRM §3.5.5",
    ),
    st(
        "stijl-3",
        Stijl,
        "Het nakomen van afspraken heeft bij beide besturen voorrang, en we spreken elkaar erop aan als dat niet lukt.",
        "SiRM §3.5.4; Stroomversneller",
    ),
    st(
        "stijl-4",
        Stijl,
        "De manier van leidinggeven van de bestuurders bevordert de samenwerking tussen ziekenhuis en specialisten.",
        "SiRM §3.5; Stroomversneller",
    ),
    st(
        "stijl-5",
        Stijl,
        "De professionele autonomie van specialisten wordt gerespecteerd, of zij nu vrijgevestigd zijn of in dienstverband werken.",
        "SiRM §3.5.3; Stroomversneller",
    ),
    st(
        "stijl-6",
        Stijl,
        "Bij gevoelige projecten kiezen we, waar dat het vertrouwen helpt, voor een onafhankelijke projectleider.",
        "SiRM §3.5.5",
    ),
];

/// The start of every key of an S: its code with dashes (`gedeelde-waarden`).
pub fn key_prefix(s: SevenS) -> String {
    s.code().replace('_', "-")
}

/// The key for a new statement of `s` in an edited catalogue: one more than the highest number
/// among `existing` keys of that S, so that a key is never given out twice (also after a
/// statement was removed: removed statements keep their key in the rounds that used them).
pub fn next_key<'a>(s: SevenS, existing: impl IntoIterator<Item = &'a str>) -> String {
    let prefix = format!("{}-", key_prefix(s));
    let highest = existing
        .into_iter()
        .filter_map(|k| k.strip_prefix(&prefix)?.parse::<u32>().ok())
        .max()
        .unwrap_or(0);
    format!("{prefix}{}", highest + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn keys_follow_their_s() {
        for st in DEFAULT_CATALOGUE {
            let prefix = format!("{}-", key_prefix(st.s));
            let number = st.key.strip_prefix(&prefix).expect(st.key);
            assert!(number.parse::<u32>().is_ok(), "{}", st.key);
        }
        let keys: BTreeSet<_> = DEFAULT_CATALOGUE.iter().map(|s| s.key).collect();
        assert_eq!(keys.len(), DEFAULT_CATALOGUE.len());
    }

    #[test]
    fn the_catalogue_follows_the_model_order_and_fits_the_form() {
        let order: Vec<SevenS> = DEFAULT_CATALOGUE.iter().map(|s| s.s).collect();
        let mut sorted = order.clone();
        sorted.sort();
        assert_eq!(order, sorted);
        assert!((38..=42).contains(&DEFAULT_CATALOGUE.len()));
        for st in DEFAULT_CATALOGUE {
            assert!(
                st.text.chars().count() <= super::super::form::MAX_STATEMENT_CHARS,
                "{}",
                st.key
            );
            assert!(st.text.ends_with('.'), "{}", st.key);
            assert_eq!(st.text.trim(), st.text);
            assert!(!st.source.is_empty(), "{}", st.key);
        }
    }

    #[test]
    fn hard_factors_follow_the_model() {
        let hard: BTreeSet<_> = DEFAULT_CATALOGUE
            .iter()
            .filter(|s| s.is_hard())
            .map(|s| s.s)
            .collect();
        assert_eq!(
            hard.into_iter().collect::<Vec<_>>(),
            [Strategie, Structuur, Systemen]
        );
    }

    #[test]
    fn new_keys_continue_the_numbering() {
        let keys = DEFAULT_CATALOGUE.iter().map(|s| s.key);
        assert_eq!(next_key(Structuur, keys), "structuur-8");
        assert_eq!(
            next_key(Stijl, ["stijl-2", "stijl-10", "stijlx-40"]),
            "stijl-11"
        );
        assert_eq!(next_key(GedeeldeWaarden, []), "gedeelde-waarden-1");
    }
}
