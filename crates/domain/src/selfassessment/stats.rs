//! Counting answers and the figures computed from the counts: n, "weet ik niet", distribution,
//! mean and spread; the alignment score; a decimal square root.
//!
//! Every figure is computed from a [`Tally`] (how many 1s, 2s, … and "weet ik niet"), never from
//! the list of answers itself. That makes the results independent of the order of the answers
//! by construction, lets tallies of bodies be added up for a side, and keeps the arithmetic in
//! integers until the final division.

use super::answer::Answer;
use rust_decimal::Decimal;

/// How often each answer was given.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Tally {
    /// Counts of the scores 1 to 5 (index 0 is score 1).
    pub counts: [u32; 5],
    pub dont_know: u32,
}

impl Tally {
    pub fn add(&mut self, answer: Answer) {
        match answer.score() {
            Some(score) => self.counts[usize::from(score) - 1] += 1,
            None => self.dont_know += 1,
        }
    }

    pub fn merge(&mut self, other: &Tally) {
        for (mine, theirs) in self.counts.iter_mut().zip(other.counts) {
            *mine += theirs;
        }
        self.dont_know += other.dont_know;
    }

    /// The number of scores, "weet ik niet" excluded.
    pub fn n(&self) -> u32 {
        self.counts.iter().sum()
    }

    /// The sum of the scores.
    pub fn sum(&self) -> u64 {
        (1u64..)
            .zip(self.counts)
            .map(|(score, count)| score * u64::from(count))
            .sum()
    }

    fn sum_of_squares(&self) -> u64 {
        (1u64..)
            .zip(self.counts)
            .map(|(score, count)| score * score * u64::from(count))
            .sum()
    }

    /// The mean score; `None` when nobody gave a score. Cheaper than [`Tally::stats`] when the
    /// spread is not needed (the gaps).
    pub fn mean(&self) -> Option<Decimal> {
        let n = self.n();
        (n > 0).then(|| Decimal::from(self.sum()) / Decimal::from(n))
    }

    pub fn stats(&self) -> Stats {
        let n = self.n();
        let (mean, spread) = if n == 0 {
            (None, None)
        } else {
            let n_ = u128::from(n);
            let sum = u128::from(self.sum());
            // Population variance = (n·Σx² − (Σx)²) / n², exact in integers; the numerator is
            // never negative (Cauchy–Schwarz). With n < 2³² every term fits a Decimal.
            let numerator = n_ * u128::from(self.sum_of_squares()) - sum * sum;
            let mean = self.mean().expect("n > 0");
            let spread =
                sqrt(decimal(numerator)).expect("a variance is not negative") / decimal(n_);
            (Some(mean), Some(spread))
        };
        Stats {
            n,
            dont_know: self.dont_know,
            distribution: self.counts,
            mean,
            spread,
        }
    }
}

fn decimal(value: u128) -> Decimal {
    Decimal::try_from_i128_with_scale(value as i128, 0).expect("counts fit a Decimal")
}

/// The figures of one statement or one S, for one body or one side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Stats {
    /// Answers with a score ("weet ik niet" excluded).
    pub n: u32,
    /// "Weet ik niet" answers.
    pub dont_know: u32,
    /// How many gave 1, 2, 3, 4 and 5.
    pub distribution: [u32; 5],
    /// The mean score; `None` when nobody gave a score.
    pub mean: Option<Decimal>,
    /// The population standard deviation of the scores (divided by n, not n − 1: the figures
    /// describe the people who answered, they do not estimate a larger population). 0 when
    /// everyone gave the same score, at most 2 on a 1–5 scale. `None` when nobody gave a score.
    pub spread: Option<Decimal>,
}

/// The alignment score in percent for a gap between two means on the 1–5 scale:
/// `100 × (1 − |gap| / 4)`. 100 when the means are equal, 0 when they are the whole scale (4
/// points) apart; linear in between, so 1 point apart is 75 %.
pub fn alignment(gap: Decimal) -> Decimal {
    Decimal::ONE_HUNDRED * (Decimal::ONE - gap.abs() / Decimal::from(4))
}

/// The square root of a non-negative decimal to Decimal's full precision (28 significant digits);
/// `None` for a negative number.
///
/// Written here because rust_decimal's `maths` feature is not enabled in the workspace. Integer
/// arithmetic only, so the result is a pure function of the input on every platform: an integer
/// square root of the widened mantissa gives about 19 correct digits, and Newton's iteration in
/// decimals finishes the job. The first Newton step lands on or above the root (AM–GM); from
/// there every step in exact arithmetic decreases, and the loop stops as soon as rounding makes
/// a step stop decreasing (no tolerance to choose). In practice that is two or three divisions.
pub fn sqrt(value: Decimal) -> Option<Decimal> {
    if value.is_sign_negative() && !value.is_zero() {
        return None;
    }
    if value.is_zero() {
        return Some(Decimal::ZERO);
    }
    let x = newton(value, seed(value));
    Some(x.normalize())
}

/// An estimate of √value from the integer square root of its mantissa: value = m / 10^s, with s
/// made even, and m widened by powers of 100 to fill a u128 so that the root has many digits.
fn seed(value: Decimal) -> Decimal {
    let mut m = value.mantissa().unsigned_abs();
    let mut scale = value.scale();
    if scale % 2 == 1 {
        m *= 10;
        scale += 1;
    }
    let mut extra = 0;
    while m < 10u128.pow(36) {
        m *= 100;
        extra += 1;
    }
    let mut root = m.isqrt();
    let mut root_scale = scale / 2 + extra;
    // Decimal holds at most 28 decimals; a root of a tiny value loses digits it cannot show.
    while root_scale > 28 {
        root /= 10;
        root_scale -= 1;
    }
    if root == 0 {
        // Below Decimal's resolution: start from the smallest positive number.
        return Decimal::new(1, 28);
    }
    Decimal::from_i128_with_scale(root as i128, root_scale)
}

fn newton(value: Decimal, seed: Decimal) -> Decimal {
    // Halving by multiplication: exact where a division by two would also be, and cheaper.
    let half = Decimal::new(5, 1);
    // One step from any positive start lands on or above the root.
    let mut x = (seed + value / seed) * half;
    // From above, exact Newton steps decrease; a handful reach full precision even from a poor
    // start, and the bound only guards against a loop that could never end.
    for _ in 0..200 {
        let next = (x + value / x) * half;
        if next >= x {
            break;
        }
        x = next;
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    fn tally(answers: &[Answer]) -> Tally {
        let mut t = Tally::default();
        for a in answers {
            t.add(*a);
        }
        t
    }

    use Answer::*;

    #[test]
    fn figures_from_a_tally() {
        let stats = tally(&[Oneens, Eens, Eens, HelemaalEens, WeetNiet]).stats();
        assert_eq!(stats.n, 4);
        assert_eq!(stats.dont_know, 1);
        assert_eq!(stats.distribution, [0, 1, 0, 2, 1]);
        // (2 + 4 + 4 + 5) / 4 = 3,75; deviations −1,75 0,25 0,25 1,25 → squares sum 4,75;
        // variance 4,75 / 4 = 1,1875; spread √1,1875 = 1,0897247358851683...
        assert_eq!(stats.mean, Some(dec!(3.75)));
        let spread = stats.spread.unwrap();
        assert_eq!(spread.round_dp(10), dec!(1.0897247359));
    }

    #[test]
    fn nobody_scored_means_no_mean() {
        let stats = tally(&[WeetNiet, WeetNiet]).stats();
        assert_eq!((stats.n, stats.dont_know), (0, 2));
        assert_eq!((stats.mean, stats.spread), (None, None));
        assert_eq!(Tally::default().stats().mean, None);
    }

    #[test]
    fn unanimity_has_no_spread_and_extremes_have_the_most() {
        let same = tally(&[Eens, Eens, Eens]).stats();
        assert_eq!(
            (same.mean, same.spread),
            (Some(dec!(4)), Some(Decimal::ZERO))
        );
        let split = tally(&[HelemaalOneens, HelemaalEens]).stats();
        assert_eq!((split.mean, split.spread), (Some(dec!(3)), Some(dec!(2))));
    }

    #[test]
    fn merging_is_adding() {
        let mut a = tally(&[Oneens, WeetNiet]);
        a.merge(&tally(&[Oneens, HelemaalEens]));
        assert_eq!(a, tally(&[Oneens, Oneens, HelemaalEens, WeetNiet]));
        assert_eq!(a.sum(), 9);
    }

    #[test]
    fn alignment_is_linear_in_the_gap() {
        assert_eq!(alignment(Decimal::ZERO), dec!(100));
        assert_eq!(alignment(dec!(4)), Decimal::ZERO);
        assert_eq!(alignment(dec!(-4)), Decimal::ZERO);
        assert_eq!(alignment(dec!(1)), dec!(75));
        assert_eq!(alignment(dec!(-0.5)), dec!(87.5));
    }

    #[test]
    fn square_roots() {
        assert_eq!(sqrt(Decimal::ZERO), Some(Decimal::ZERO));
        assert_eq!(sqrt(dec!(-0.1)), None);
        for (square, root) in [
            (dec!(1), dec!(1)),
            (dec!(4), dec!(2)),
            (dec!(9), dec!(3)),
            (dec!(0.25), dec!(0.5)),
            (dec!(1.44), dec!(1.2)),
            (dec!(1000000), dec!(1000)),
        ] {
            assert_eq!(sqrt(square), Some(root), "√{square}");
        }
        assert_eq!(sqrt(dec!(2)), Some(dec!(1.4142135623730950488016887242)));
        let tiny = sqrt(dec!(0.0000000000000000000000000001)).unwrap();
        assert_eq!(tiny.round_dp(16), dec!(0.0000000000000100));
        let big = sqrt(Decimal::MAX).unwrap();
        assert_eq!(big.round(), dec!(281474976710656));
    }
}
