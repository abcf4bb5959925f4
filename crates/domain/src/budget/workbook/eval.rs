//! An evaluator for exactly the formulas this module writes, so that every formula can be
//! checked against its cached value without a spreadsheet program: numbers, references
//! (`C5`, `$C$5`, `'Sheet'!C5`), ranges in function arguments (`G5:G104`), `+ − × ÷`, unary
//! minus, parentheses, and SUM, AVERAGE, MAX, MIN and SUMPRODUCT with Excel's rules for empty
//! and text cells. In exact decimals: it checks the formula's logic, not Excel's binary floating
//! point. Anything else is an error, so a formula outside the subset fails the check instead of
//! passing unverified.

use super::model::{Cell, Workbook, column_letters};
use rust_decimal::Decimal;
use std::collections::{HashMap, HashSet};

/// How far a formula may be from its cached value.
const TOLERANCE: Decimal = Decimal::from_parts(1, 0, 0, false, 9);

/// A formula that does not evaluate to its cached value, or not at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormulaProblem {
    pub sheet: String,
    /// `C5`.
    pub cell: String,
    pub formula: String,
    pub cached: Decimal,
    pub evaluated: Option<Decimal>,
    pub reason: String,
}

/// Evaluates every formula of the workbook (following references through other formulas, as a
/// recalculation would) and compares it with its cached value, to within 1e-9. `Ok` with the
/// number of formulas checked, or every problem found.
pub fn verify_formulas(workbook: &Workbook) -> Result<usize, Vec<FormulaProblem>> {
    let mut ev = Evaluator::new(workbook);
    let mut problems = Vec::new();
    let mut checked = 0;
    for (s, sheet) in workbook.sheets.iter().enumerate() {
        for (r, row) in sheet.rows.iter().enumerate() {
            for (c, cell) in row.cells.iter().enumerate() {
                let Cell::Formula {
                    formula, cached, ..
                } = cell
                else {
                    continue;
                };
                checked += 1;
                let at = Key {
                    sheet: s,
                    row: r as u32 + 1,
                    col: c as u32,
                };
                let problem = |evaluated, reason: String| FormulaProblem {
                    sheet: sheet.name.clone(),
                    cell: format!("{}{}", column_letters(at.col), at.row),
                    formula: formula.clone(),
                    cached: *cached,
                    evaluated,
                    reason,
                };
                match ev.cell(at) {
                    Ok(Value::Num(v)) if (v - *cached).abs() <= TOLERANCE => {}
                    Ok(Value::Num(v)) => problems.push(problem(
                        Some(v),
                        format!("uitkomst {v} wijkt af van de opgeslagen waarde {cached}"),
                    )),
                    Ok(_) => problems.push(problem(None, "geen getal".into())),
                    Err(e) => problems.push(problem(None, e)),
                }
            }
        }
    }
    if problems.is_empty() {
        Ok(checked)
    } else {
        Err(problems)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Key {
    sheet: usize,
    row: u32,
    col: u32,
}

/// A cell's content as a formula sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Value {
    Num(Decimal),
    Empty,
    Text,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Expr {
    Num(Decimal),
    Ref(Key),
    /// Only as a function argument.
    Range(Key, Key),
    Neg(Box<Expr>),
    Bin(char, Box<Expr>, Box<Expr>),
    Call(String, Vec<Expr>),
}

struct Evaluator<'a> {
    book: &'a Workbook,
    sheets: HashMap<&'a str, usize>,
    done: HashMap<Key, Value>,
    busy: HashSet<Key>,
}

type R<T> = Result<T, String>;

impl<'a> Evaluator<'a> {
    fn new(book: &'a Workbook) -> Self {
        Evaluator {
            book,
            sheets: book
                .sheets
                .iter()
                .enumerate()
                .map(|(i, s)| (s.name.as_str(), i))
                .collect(),
            done: HashMap::new(),
            busy: HashSet::new(),
        }
    }

    fn cell(&mut self, at: Key) -> R<Value> {
        if let Some(v) = self.done.get(&at) {
            return Ok(*v);
        }
        let cell = self.book.sheets[at.sheet].cell(at.row, at.col);
        let value = match cell {
            None | Some(Cell::Empty) => Value::Empty,
            Some(Cell::Text(_)) => Value::Text,
            Some(Cell::Number { value, .. }) => Value::Num(*value),
            Some(Cell::Formula { formula, .. }) => {
                if !self.busy.insert(at) {
                    return Err("kringverwijzing".into());
                }
                let expr = Parser::new(formula, at.sheet, &self.sheets).formula();
                let value = expr.and_then(|e| self.eval(&e)).map(Value::Num);
                self.busy.remove(&at);
                value?
            }
        };
        self.done.insert(at, value);
        Ok(value)
    }

    fn eval(&mut self, e: &Expr) -> R<Decimal> {
        match e {
            Expr::Num(n) => Ok(*n),
            Expr::Ref(at) => match self.cell(*at)? {
                Value::Num(n) => Ok(n),
                Value::Empty => Ok(Decimal::ZERO),
                Value::Text => Err("#WAARDE!: tekst in een berekening".into()),
            },
            Expr::Range(..) => Err("een bereik buiten een functie".into()),
            Expr::Neg(x) => Ok(-self.eval(x)?),
            Expr::Bin(op, a, b) => {
                let (a, b) = (self.eval(a)?, self.eval(b)?);
                let out = match op {
                    '+' => a.checked_add(b),
                    '-' => a.checked_sub(b),
                    '*' => a.checked_mul(b),
                    '/' if b.is_zero() => return Err("#DEEL/0!".into()),
                    _ => a.checked_div(b),
                };
                out.ok_or_else(|| "getal te groot".into())
            }
            Expr::Call(name, args) => self.call(name, args),
        }
    }

    /// The numbers an argument contributes to SUM, AVERAGE, MAX and MIN: a reference or range
    /// gives its numeric cells (empty and text cells are skipped, as in Excel), any other
    /// expression its value.
    fn numbers(&mut self, arg: &Expr, out: &mut Vec<Decimal>) -> R<()> {
        match arg {
            Expr::Ref(at) => {
                if let Value::Num(n) = self.cell(*at)? {
                    out.push(n);
                }
            }
            Expr::Range(..) => {
                for v in self.range(arg)? {
                    if let Value::Num(n) = v {
                        out.push(n);
                    }
                }
            }
            other => out.push(self.eval(other)?),
        }
        Ok(())
    }

    fn range(&mut self, e: &Expr) -> R<Vec<Value>> {
        let Expr::Range(a, b) = e else {
            return Err("SUMPRODUCT verwacht bereiken".into());
        };
        let mut out = Vec::new();
        for row in a.row.min(b.row)..=a.row.max(b.row) {
            for col in a.col.min(b.col)..=a.col.max(b.col) {
                out.push(self.cell(Key {
                    sheet: a.sheet,
                    row,
                    col,
                })?);
            }
        }
        Ok(out)
    }

    fn call(&mut self, name: &str, args: &[Expr]) -> R<Decimal> {
        let too_large = || "getal te groot".to_string();
        if name == "SUMPRODUCT" {
            let ranges = args.iter().map(|a| self.range(a)).collect::<R<Vec<_>>>()?;
            let len = ranges.first().map_or(0, Vec::len);
            if ranges.is_empty() || ranges.iter().any(|r| r.len() != len) {
                return Err("#WAARDE!: bereiken van ongelijke grootte".into());
            }
            let mut sum = Decimal::ZERO;
            for i in 0..len {
                let mut product = Decimal::ONE;
                for r in &ranges {
                    let x = match r[i] {
                        Value::Num(n) => n,
                        _ => Decimal::ZERO,
                    };
                    product = product.checked_mul(x).ok_or_else(too_large)?;
                }
                sum = sum.checked_add(product).ok_or_else(too_large)?;
            }
            return Ok(sum);
        }
        let mut values = Vec::new();
        for a in args {
            self.numbers(a, &mut values)?;
        }
        let sum = || {
            values
                .iter()
                .try_fold(Decimal::ZERO, |s, x| s.checked_add(*x))
                .ok_or_else(too_large)
        };
        match name {
            "SUM" => sum(),
            "AVERAGE" if values.is_empty() => Err("#DEEL/0!: AVERAGE zonder getallen".into()),
            "AVERAGE" => Ok(sum()? / Decimal::from(values.len())),
            "MAX" => Ok(values.iter().copied().max().unwrap_or_default()),
            "MIN" => Ok(values.iter().copied().min().unwrap_or_default()),
            other => Err(format!("onbekende functie {other}")),
        }
    }
}

/// Recursive descent over one formula.
struct Parser<'s> {
    chars: Vec<char>,
    pos: usize,
    sheet: usize,
    sheets: &'s HashMap<&'s str, usize>,
}

impl<'s> Parser<'s> {
    fn new(text: &str, sheet: usize, sheets: &'s HashMap<&'s str, usize>) -> Self {
        Parser {
            chars: text.chars().collect(),
            pos: 0,
            sheet,
            sheets,
        }
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn formula(mut self) -> R<Expr> {
        if !self.eat('=') {
            return Err("een formule begint met =".into());
        }
        let e = self.expr()?;
        match self.peek() {
            None => Ok(e),
            Some(c) => Err(format!("onverwacht teken {c:?} op positie {}", self.pos)),
        }
    }

    fn expr(&mut self) -> R<Expr> {
        let mut left = self.term()?;
        while let Some(op @ ('+' | '-')) = self.peek() {
            self.pos += 1;
            left = Expr::Bin(op, Box::new(left), Box::new(self.term()?));
        }
        Ok(left)
    }

    fn term(&mut self) -> R<Expr> {
        let mut left = self.unary()?;
        while let Some(op @ ('*' | '/')) = self.peek() {
            self.pos += 1;
            left = Expr::Bin(op, Box::new(left), Box::new(self.unary()?));
        }
        Ok(left)
    }

    fn unary(&mut self) -> R<Expr> {
        if self.eat('-') {
            return Ok(Expr::Neg(Box::new(self.unary()?)));
        }
        if self.eat('+') {
            return self.unary();
        }
        self.primary()
    }

    fn primary(&mut self) -> R<Expr> {
        match self.peek() {
            Some('(') => {
                self.pos += 1;
                let e = self.expr()?;
                if !self.eat(')') {
                    return Err("haakje sluiten ontbreekt".into());
                }
                Ok(e)
            }
            Some(c) if c.is_ascii_digit() || c == '.' => self.number(),
            Some('\'') => {
                let sheet = self.quoted_sheet()?;
                self.reference(sheet)
            }
            Some(c) if c.is_ascii_alphabetic() || c == '$' => {
                // A function name, an unquoted sheet name, or a cell reference.
                let start = self.pos;
                while self.peek().is_some_and(|c| c.is_alphanumeric() || c == '_') {
                    self.pos += 1;
                }
                let word: String = self.chars[start..self.pos].iter().collect();
                if self.eat('(') {
                    return self.call(word);
                }
                if self.eat('!') {
                    let sheet = self.sheet_index(&word)?;
                    return self.reference(sheet);
                }
                self.pos = start;
                self.reference(self.sheet)
            }
            other => Err(format!("onverwacht {other:?} op positie {}", self.pos)),
        }
    }

    fn number(&mut self) -> R<Expr> {
        let start = self.pos;
        while self.peek().is_some_and(|c| c.is_ascii_digit() || c == '.') {
            self.pos += 1;
        }
        let text: String = self.chars[start..self.pos].iter().collect();
        text.parse::<Decimal>()
            .map(Expr::Num)
            .map_err(|_| format!("geen getal: {text}"))
    }

    fn quoted_sheet(&mut self) -> R<usize> {
        self.pos += 1;
        let mut name = String::new();
        loop {
            match self.peek() {
                None => return Err("werkbladnaam niet afgesloten".into()),
                Some('\'') if self.chars.get(self.pos + 1) == Some(&'\'') => {
                    name.push('\'');
                    self.pos += 2;
                }
                Some('\'') => {
                    self.pos += 1;
                    break;
                }
                Some(c) => {
                    name.push(c);
                    self.pos += 1;
                }
            }
        }
        if !self.eat('!') {
            return Err("! ontbreekt na de werkbladnaam".into());
        }
        self.sheet_index(&name)
    }

    fn sheet_index(&self, name: &str) -> R<usize> {
        self.sheets
            .get(name)
            .copied()
            .ok_or_else(|| format!("werkblad {name} bestaat niet"))
    }

    /// `C5` or `C5:C9` on `sheet`.
    fn reference(&mut self, sheet: usize) -> R<Expr> {
        let a = self.cell_ref(sheet)?;
        if self.eat(':') {
            let b = self.cell_ref(sheet)?;
            return Ok(Expr::Range(a, b));
        }
        Ok(Expr::Ref(a))
    }

    fn cell_ref(&mut self, sheet: usize) -> R<Key> {
        self.eat('$');
        let mut col: u32 = 0;
        let mut letters = 0;
        while let Some(c) = self.peek().filter(char::is_ascii_uppercase) {
            col = col * 26 + (c as u32 - 'A' as u32 + 1);
            letters += 1;
            self.pos += 1;
        }
        self.eat('$');
        let start = self.pos;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.pos += 1;
        }
        let digits: String = self.chars[start..self.pos].iter().collect();
        let row: u32 = digits.parse().map_err(|_| "celverwijzing zonder rij")?;
        if letters == 0 || letters > 3 || row == 0 {
            return Err(format!("ongeldige celverwijzing op positie {start}"));
        }
        Ok(Key {
            sheet,
            row,
            col: col - 1,
        })
    }

    fn call(&mut self, name: String) -> R<Expr> {
        let mut args = Vec::new();
        if !self.eat(')') {
            loop {
                // A range parses as an expression anywhere; only a function may take one.
                args.push(self.expr()?);
                if self.eat(')') {
                    break;
                }
                if !self.eat(',') {
                    return Err(format!("argumenten van {name} niet goed gescheiden"));
                }
            }
        }
        Ok(Expr::Call(name, args))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::budget::workbook::model::{NumberFormat, Row, RowStyle, Sheet};
    use rust_decimal::dec;

    fn sheet(name: &str, rows: Vec<Vec<Cell>>) -> Sheet {
        Sheet {
            name: name.into(),
            columns: vec![],
            freeze_rows: 0,
            rows: rows
                .into_iter()
                .map(|cells| Row::new(RowStyle::Normal, cells))
                .collect(),
        }
    }

    fn n(x: Decimal) -> Cell {
        Cell::number(x, NumberFormat::Fixed2)
    }

    fn f(formula: &str, cached: Decimal) -> Cell {
        Cell::formula(formula, cached, NumberFormat::Fixed2)
    }

    fn book(sheets: Vec<Sheet>) -> Workbook {
        Workbook {
            title: "t".into(),
            concept: false,
            snapshot_hash: None,
            sheets,
        }
    }

    #[test]
    fn evaluates_the_subset_across_sheets() {
        let b = book(vec![
            sheet(
                "Blad 1",
                vec![
                    vec![n(dec!(2)), n(dec!(3)), Cell::Empty, Cell::text("x")],
                    vec![
                        f("=A1*B1/60", dec!(0.1)),
                        f("=SUM(A1:D1)", dec!(5)),
                        f("=AVERAGE(A1:D1)", dec!(2.5)),
                        f("=MAX(0,A1-B1*(1+0.5))", dec!(0)),
                    ],
                    vec![
                        f("=-A1+-B1", dec!(-5)),
                        f("=SUMPRODUCT(A1:B1,A2:B2)/$B$2", dec!(3.04)),
                        f("='Jan''s'!A1+Jan!A1", dec!(14)),
                        f("=MIN(A1,B1)", dec!(2)),
                    ],
                ],
            ),
            sheet("Jan's", vec![vec![n(dec!(7))]]),
            sheet("Jan", vec![vec![f("='Jan''s'!A1", dec!(7))]]),
        ]);
        assert_eq!(verify_formulas(&b), Ok(9));
    }

    #[test]
    fn wrong_cached_values_and_bad_formulas_are_reported() {
        let b = book(vec![sheet(
            "S",
            vec![vec![
                n(dec!(1)),
                f("=A1+1", dec!(3)),
                f("=A1/0", dec!(0)),
                f("=C1", dec!(0)),
                f("=D1", dec!(0)),
                f("=A1+A1:A2", dec!(0)),
                f("=FOO(A1)", dec!(0)),
                f("=A1+X!A1", dec!(0)),
                f("=A1 + 1", dec!(2)),
            ]],
        )]);
        let problems = verify_formulas(&b).unwrap_err();
        let cells: Vec<&str> = problems.iter().map(|p| p.cell.as_str()).collect();
        assert_eq!(cells, ["B1", "C1", "D1", "E1", "F1", "G1", "H1", "I1"]);
        assert_eq!(problems[0].evaluated, Some(dec!(2)));
        assert_eq!(problems[1].reason, "#DEEL/0!");
    }

    #[test]
    fn cycles_are_errors_not_stack_overflows() {
        let b = book(vec![sheet(
            "S",
            vec![vec![f("=B1", dec!(0)), f("=A1", dec!(0))]],
        )]);
        assert!(verify_formulas(&b).is_err());
    }
}
