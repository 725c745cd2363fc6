//! This machine's UTC offset at a given instant, for the receipt's local time, without a date
//! crate: the zone in `TZ` or `/etc/localtime` (a TZif file, RFC 8536), including the POSIX
//! rule at its end for instants past its last transition. `None` where the zone cannot be read
//! (no zoneinfo, as on Windows): the receipt then says so and shows UTC only.

use crate::clock::{civil_from_days, days_from_civil};

/// Seconds east of UTC on this machine at `at_s` (Unix seconds).
pub fn local_offset_s(at_s: i64) -> Option<i32> {
    let zone = match std::env::var("TZ") {
        Ok(tz) if !tz.trim().is_empty() => {
            let tz = tz.trim();
            let name = tz.strip_prefix(':').unwrap_or(tz);
            let path = if name.starts_with('/') {
                std::path::PathBuf::from(name)
            } else {
                std::path::Path::new("/usr/share/zoneinfo").join(name)
            };
            match std::fs::read(&path).ok().and_then(|b| Zone::parse(&b)) {
                Some(z) => z,
                None if !name.contains('/') && !name.contains("..") => Zone {
                    transitions: Vec::new(),
                    offsets: Vec::new(),
                    rule: Some(Rule::parse(name)?),
                },
                None => return None,
            }
        }
        _ => Zone::parse(&std::fs::read("/etc/localtime").ok()?)?,
    };
    zone.offset_at(at_s)
}

/// A TZif file, read for what an offset needs.
#[derive(Debug)]
pub(super) struct Zone {
    /// Transition instants and the index into `offsets` from then on, ascending.
    transitions: Vec<(i64, usize)>,
    /// Each local time type's offset east of UTC, in seconds.
    offsets: Vec<i32>,
    /// The footer's POSIX rule, for instants after the last transition.
    rule: Option<Rule>,
}

fn be_u32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

impl Zone {
    pub(super) fn parse(b: &[u8]) -> Option<Zone> {
        if b.get(..4)? != b"TZif" {
            return None;
        }
        let version = *b.get(4)?;
        let counts = |at: usize| -> Option<[usize; 6]> {
            let mut c = [0usize; 6];
            for (i, v) in c.iter_mut().enumerate() {
                *v = be_u32(b, at + 20 + 4 * i)? as usize;
            }
            Some(c)
        };
        let block_len = |c: [usize; 6], time: usize| {
            let [isut, isstd, leap, time_n, type_n, chars] = c;
            time_n * time + time_n + type_n * 6 + chars + leap * (time + 4) + isstd + isut
        };
        let c1 = counts(0)?;
        let (start, c, time) = if version >= b'2' {
            let second = 44 + block_len(c1, 4);
            (second + 44, counts(second)?, 8)
        } else {
            (44, c1, 4)
        };
        let [_, _, _, time_n, type_n, _] = c;
        let times_at = start;
        let idx_at = times_at + time_n * time;
        let types_at = idx_at + time_n;
        let mut offsets = Vec::with_capacity(type_n);
        for i in 0..type_n {
            offsets.push(be_u32(b, types_at + 6 * i)? as i32);
        }
        let mut transitions = Vec::with_capacity(time_n);
        for i in 0..time_n {
            let at = times_at + i * time;
            let t = if time == 8 {
                i64::from_be_bytes(b.get(at..at + 8)?.try_into().ok()?)
            } else {
                be_u32(b, at)? as i32 as i64
            };
            let idx = *b.get(idx_at + i)? as usize;
            if idx >= type_n {
                return None;
            }
            transitions.push((t, idx));
        }
        let rule = if version >= b'2' {
            let footer = b.get(start + block_len(c, 8)..)?;
            std::str::from_utf8(footer)
                .ok()
                .and_then(|f| f.strip_prefix('\n'))
                .and_then(|f| f.split('\n').next())
                .filter(|f| !f.is_empty())
                .and_then(Rule::parse)
        } else {
            None
        };
        if offsets.is_empty() && rule.is_none() {
            return None;
        }
        Some(Zone {
            transitions,
            offsets,
            rule,
        })
    }

    pub(super) fn offset_at(&self, at_s: i64) -> Option<i32> {
        match self.transitions.iter().rposition(|&(t, _)| t <= at_s) {
            Some(i) if i + 1 == self.transitions.len() && self.rule.is_some() => {
                self.rule.as_ref().map(|r| r.offset_at(at_s))
            }
            Some(i) => self.offsets.get(self.transitions[i].1).copied(),
            None if self.transitions.is_empty() && self.rule.is_some() => {
                self.rule.as_ref().map(|r| r.offset_at(at_s))
            }
            None => self.offsets.first().copied(),
        }
    }
}

/// A POSIX TZ rule such as `CET-1CEST,M3.5.0,M10.5.0/3` or `<+03>-3`.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Rule {
    std: i32,
    dst: Option<(i32, Day, i32, Day, i32)>,
}

/// When a change happens within a year.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Day {
    /// `Jn`: day 1–365, February 29 never counted.
    Julian1(u16),
    /// `n`: day 0–365, February 29 counted.
    Julian0(u16),
    /// `Mm.w.d`: the w-th (5 = last) weekday d (0 = Sunday) of month m.
    Month(u8, u8, u8),
}

struct Cursor<'a>(&'a [u8]);

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.0.first().copied()
    }
    fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.0 = &self.0[1..];
            true
        } else {
            false
        }
    }
    fn number(&mut self) -> Option<i32> {
        let n = self.0.iter().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 {
            return None;
        }
        let v = std::str::from_utf8(&self.0[..n]).ok()?.parse().ok()?;
        self.0 = &self.0[n..];
        Some(v)
    }
    fn name(&mut self) -> Option<()> {
        if self.eat(b'<') {
            let end = self.0.iter().position(|&c| c == b'>')?;
            self.0 = &self.0[end + 1..];
            return Some(());
        }
        let n = self
            .0
            .iter()
            .take_while(|c| c.is_ascii_alphabetic())
            .count();
        if n < 3 {
            return None;
        }
        self.0 = &self.0[n..];
        Some(())
    }
    /// `[+-]hh[:mm[:ss]]` in seconds.
    fn hms(&mut self) -> Option<i32> {
        let sign = if self.eat(b'-') {
            -1
        } else {
            self.eat(b'+');
            1
        };
        let mut s = self.number()? * 3600;
        if self.eat(b':') {
            s += self.number()? * 60;
            if self.eat(b':') {
                s += self.number()?;
            }
        }
        Some(sign * s)
    }
    fn day(&mut self) -> Option<Day> {
        if self.eat(b'M') {
            let m = self.number()?;
            self.eat(b'.').then_some(())?;
            let w = self.number()?;
            self.eat(b'.').then_some(())?;
            let d = self.number()?;
            if !(1..=12).contains(&m) || !(1..=5).contains(&w) || !(0..=6).contains(&d) {
                return None;
            }
            return Some(Day::Month(m as u8, w as u8, d as u8));
        }
        if self.eat(b'J') {
            let n = self.number()?;
            return (1..=365).contains(&n).then_some(Day::Julian1(n as u16));
        }
        let n = self.number()?;
        (0..=365).contains(&n).then_some(Day::Julian0(n as u16))
    }
    fn change(&mut self) -> Option<(Day, i32)> {
        self.eat(b',').then_some(())?;
        let day = self.day()?;
        let time = if self.eat(b'/') { self.hms()? } else { 7200 };
        Some((day, time))
    }
}

impl Rule {
    pub(super) fn parse(s: &str) -> Option<Rule> {
        let mut c = Cursor(s.as_bytes());
        c.name()?;
        // POSIX offsets are west of UTC: `CET-1` is an hour east.
        let std = -c.hms()?;
        if c.peek().is_none() {
            return Some(Rule { std, dst: None });
        }
        c.name()?;
        let dst_off = match c.peek() {
            Some(b',') | None => std + 3600,
            _ => -c.hms()?,
        };
        // Without a rule POSIX leaves the dates to the implementation; the US rule is the
        // usual default.
        let (start, start_t, end, end_t) = if c.peek().is_none() {
            (Day::Month(3, 2, 0), 7200, Day::Month(11, 1, 0), 7200)
        } else {
            let (a, at) = c.change()?;
            let (b, bt) = c.change()?;
            (a, at, b, bt)
        };
        if c.peek().is_some() {
            return None;
        }
        Some(Rule {
            std,
            dst: Some((dst_off, start, start_t, end, end_t)),
        })
    }

    fn offset_at(&self, at_s: i64) -> i32 {
        let Some((dst, start, start_t, end, end_t)) = self.dst else {
            return self.std;
        };
        let year = civil_from_days((at_s + self.std as i64).div_euclid(86_400)).0;
        // Changes are given in the local time then in force: the start in standard time, the
        // end in summer time.
        let begins = day_of(year, start) * 86_400 + start_t as i64 - self.std as i64;
        let ends = day_of(year, end) * 86_400 + end_t as i64 - dst as i64;
        let summer = if begins < ends {
            at_s >= begins && at_s < ends
        } else {
            // Southern hemisphere: summer spans the new year.
            at_s < ends || at_s >= begins
        };
        if summer {
            dst
        } else {
            self.std
        }
    }
}

fn is_leap(y: i64) -> bool {
    y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)
}

fn month_len(y: i64, m: u32) -> i64 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of the change day in `year`.
fn day_of(year: i64, day: Day) -> i64 {
    let jan1 = days_from_civil(year, 1, 1);
    match day {
        Day::Julian1(n) => {
            let n = n as i64 - 1;
            jan1 + n + i64::from(is_leap(year) && n >= 59)
        }
        Day::Julian0(n) => jan1 + n as i64,
        Day::Month(m, w, d) => {
            let first = days_from_civil(year, m as u32, 1);
            // 1970-01-01 was a Thursday (4).
            let weekday = (first + 4).rem_euclid(7);
            let mut day = first + (d as i64 - weekday).rem_euclid(7) + (w as i64 - 1) * 7;
            while day >= first + month_len(year, m as u32) {
                day -= 7;
            }
            day
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(y: i64, m: u32, d: u32, h: i64) -> i64 {
        days_from_civil(y, m, d) * 86_400 + h * 3600
    }

    #[test]
    fn posix_rules_give_summer_and_winter_offsets() {
        let paris = Rule::parse("CET-1CEST,M3.5.0,M10.5.0/3").unwrap();
        assert_eq!(paris.offset_at(at(2026, 1, 15, 12)), 3600);
        assert_eq!(paris.offset_at(at(2026, 7, 2, 12)), 7200);
        // 2026-03-29 01:00 UTC is 02:00 CET, the change.
        assert_eq!(paris.offset_at(at(2026, 3, 29, 1) - 1), 3600);
        assert_eq!(paris.offset_at(at(2026, 3, 29, 1)), 7200);
        // 2026-10-25 01:00 UTC is 03:00 CEST, back.
        assert_eq!(paris.offset_at(at(2026, 10, 25, 1) - 1), 7200);
        assert_eq!(paris.offset_at(at(2026, 10, 25, 1)), 3600);

        let sydney = Rule::parse("AEST-10AEDT,M10.1.0,M4.1.0/3").unwrap();
        assert_eq!(sydney.offset_at(at(2026, 1, 15, 0)), 11 * 3600);
        assert_eq!(sydney.offset_at(at(2026, 7, 2, 0)), 10 * 3600);

        let ny = Rule::parse("EST5EDT,M3.2.0,M11.1.0").unwrap();
        assert_eq!(ny.offset_at(at(2026, 1, 15, 12)), -5 * 3600);
        assert_eq!(ny.offset_at(at(2026, 7, 2, 12)), -4 * 3600);

        assert_eq!(Rule::parse("<+0530>-5:30").unwrap().offset_at(0), 19_800);
        assert_eq!(Rule::parse("UTC0").unwrap().offset_at(0), 0);
        for bad in ["", "X1", "CET-1CEST,M13.1.0,M10.5.0", "CET-1CEST,M3.5.0"] {
            assert_eq!(Rule::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn zoneinfo_files_are_read_when_the_system_has_them() {
        let read = |name: &str| {
            std::fs::read(format!("/usr/share/zoneinfo/{name}"))
                .ok()
                .and_then(|b| Zone::parse(&b))
        };
        let Some(paris) = read("Europe/Paris") else {
            return; // no tzdata here (Windows, a slim container): nothing to read
        };
        assert_eq!(paris.offset_at(at(2026, 1, 15, 12)), Some(3600));
        assert_eq!(paris.offset_at(at(2026, 7, 2, 12)), Some(7200));
        assert_eq!(
            paris.offset_at(at(2070, 7, 2, 12)),
            Some(7200),
            "past the table"
        );
        assert_eq!(paris.offset_at(at(1990, 7, 2, 12)), Some(7200));
        if let Some(kolkata) = read("Asia/Kolkata") {
            assert_eq!(kolkata.offset_at(at(2026, 7, 2, 12)), Some(19_800));
        }
        if let Some(utc) = read("Etc/UTC") {
            assert_eq!(utc.offset_at(at(2026, 7, 2, 12)), Some(0));
        }
        assert!(Zone::parse(b"not a zone").is_none());
    }
}
