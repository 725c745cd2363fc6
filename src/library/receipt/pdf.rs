//! Receipts as a PDF: the same sheet as the HTML page, one record after another, each starting
//! on a fresh A4 page. Set in Courier, one of the fonts every PDF reader has, so nothing is
//! embedded or fetched and a line's width is its length. Text is WinAnsi (Latin-1 and the usual
//! quotes and dashes); a character outside it prints as `?`, and the page says so — the
//! record's sha256 is of the exact text, which the HTML receipt shows whole.

use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

use super::{sheet, ReceiptInput, Sheet};

const PAGE_W: f32 = 595.0;
const PAGE_H: f32 = 842.0;
const MARGIN: f32 = 50.0;
const SIZE: f32 = 9.0;
const LEAD: f32 = 11.5;
/// Courier's advance is 600/1000 em.
const COLUMNS: usize = ((PAGE_W - 2.0 * MARGIN) / (SIZE * 0.6)) as usize;
const LABEL_COLUMNS: usize = 25;
const LINES_PER_PAGE: usize = ((PAGE_H - 2.0 * MARGIN) / LEAD) as usize;

const REGULAR: Name<'static> = Name(b"F1");
const BOLD: Name<'static> = Name(b"F2");

/// One printed line: bold or not, and its WinAnsi bytes.
struct Line {
    bold: bool,
    bytes: Vec<u8>,
}

/// The receipts of `records`, in order, as one PDF document.
pub fn receipts_pdf(records: &[ReceiptInput<'_>]) -> Vec<u8> {
    let mut pages: Vec<Vec<Line>> = Vec::new();
    for r in records {
        let lines = lines_of(&sheet(r));
        for chunk in lines.chunks(LINES_PER_PAGE) {
            pages.push(
                chunk
                    .iter()
                    .map(|l| Line {
                        bold: l.bold,
                        bytes: l.bytes.clone(),
                    })
                    .collect(),
            );
        }
    }
    if pages.is_empty() {
        pages.push(Vec::new());
    }

    let catalog = Ref::new(1);
    let tree = Ref::new(2);
    let regular = Ref::new(3);
    let bold = Ref::new(4);
    let info = Ref::new(5);
    let page_ref = |i: usize| Ref::new(6 + 2 * i as i32);
    let content_ref = |i: usize| Ref::new(7 + 2 * i as i32);

    let mut pdf = Pdf::new();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree)
        .kids((0..pages.len()).map(page_ref))
        .count(pages.len() as i32);
    pdf.type1_font(regular)
        .base_font(Name(b"Courier"))
        .encoding_predefined(Name(b"WinAnsiEncoding"));
    pdf.type1_font(bold)
        .base_font(Name(b"Courier-Bold"))
        .encoding_predefined(Name(b"WinAnsiEncoding"));
    pdf.document_info(info)
        .title(TextStr("Likeness Studio - consent records"))
        .producer(TextStr("Likeness Studio"));
    for (i, lines) in pages.iter().enumerate() {
        let mut page = pdf.page(page_ref(i));
        page.media_box(Rect::new(0.0, 0.0, PAGE_W, PAGE_H))
            .parent(tree)
            .contents(content_ref(i));
        page.resources()
            .fonts()
            .pair(REGULAR, regular)
            .pair(BOLD, bold);
        page.finish();
        let mut c = Content::new();
        c.begin_text();
        c.set_leading(LEAD);
        c.next_line(MARGIN, PAGE_H - MARGIN);
        let mut current_bold = None;
        for line in lines {
            if current_bold != Some(line.bold) {
                c.set_font(if line.bold { BOLD } else { REGULAR }, SIZE);
                current_bold = Some(line.bold);
            }
            c.show(Str(&line.bytes));
            c.next_line_using_leading();
        }
        c.end_text();
        let data = c.finish();
        pdf.stream(content_ref(i), data.as_slice());
    }
    pdf.finish()
}

fn lines_of(s: &Sheet) -> Vec<Line> {
    let mut out = Vec::new();
    let mut push = |bold: bool, text: &str| {
        out.push(Line {
            bold,
            bytes: win_ansi(text),
        })
    };
    push(true, "Likeness Studio - consent record");
    for l in wrap(&format!("{} - {}", s.name, s.kind), COLUMNS) {
        push(false, &l);
    }
    push(false, "");
    if let Some(w) = &s.withdrawn {
        for l in wrap(w, COLUMNS) {
            push(true, &l);
        }
        push(false, "");
    }
    let value_columns = COLUMNS - LABEL_COLUMNS;
    for (label, value, _) in &s.rows {
        let mut first = true;
        for l in wrap(value, value_columns) {
            let head = if first { *label } else { "" };
            push(false, &format!("{head:<LABEL_COLUMNS$}{l}"));
            first = false;
        }
    }
    push(false, "");
    for l in wrap(&s.statement, COLUMNS) {
        push(false, &l);
    }
    if let Some(text) = &s.release_text {
        push(false, "");
        push(true, "Release text as the talent was shown it:");
        for l in wrap(text, COLUMNS) {
            push(false, &l);
        }
    }
    if let Some(operator) = &s.signer {
        push(false, "");
        push(false, "");
        push(false, &format!("Operator: {operator}"));
        push(
            false,
            "Signature of the operator: ______________________   Date: ____________",
        );
    }
    push(false, "");
    for l in wrap(
        &format!(
            "The sha256 identifies the exact {} bytes the studio downloaded and checked. A character this page's font cannot show is printed as ?; the release sha256 is of the exact text.",
            s.noun
        ),
        COLUMNS,
    ) {
        push(false, &l);
    }
    out
}

/// Splits text into lines of at most `width` characters: at its own line breaks, then between
/// words, and inside a word (an id, a hash) only when it is longer than a line.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    for para in text.split('\n') {
        let mut line = String::new();
        for word in para.split(' ') {
            let mut word: Vec<char> = word.chars().collect();
            let used = line.chars().count();
            if used > 0 && used + 1 + word.len() > width {
                lines.push(std::mem::take(&mut line));
            }
            while word.len() > width {
                if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                }
                lines.push(word.drain(..width).collect());
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.extend(word);
        }
        lines.push(line);
    }
    lines
}

/// WinAnsiEncoding bytes of `text`; what it cannot encode becomes `?`.
fn win_ansi(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c {
            ' '..='~' => c as u8,
            '\u{a0}'..='\u{ff}' => c as u32 as u8,
            '€' => 0x80,
            '‚' => 0x82,
            'ƒ' => 0x83,
            '„' => 0x84,
            '…' => 0x85,
            '†' => 0x86,
            '‡' => 0x87,
            'ˆ' => 0x88,
            '‰' => 0x89,
            'Š' => 0x8a,
            '‹' => 0x8b,
            'Œ' => 0x8c,
            'Ž' => 0x8e,
            '‘' => 0x91,
            '’' => 0x92,
            '“' => 0x93,
            '”' => 0x94,
            '•' => 0x95,
            '–' => 0x96,
            '—' => 0x97,
            '˜' => 0x98,
            '™' => 0x99,
            'š' => 0x9a,
            '›' => 0x9b,
            'œ' => 0x9c,
            'ž' => 0x9e,
            'Ÿ' => 0x9f,
            '\t' => b' ',
            _ => b'?',
        })
        .collect()
}

/// How many pages a PDF says it has (its page tree's `/Count`), for tests and checks.
pub fn page_count(pdf: &[u8]) -> Option<usize> {
    let at = pdf.windows(7).position(|w| w == b"/Count ")?;
    let digits: Vec<u8> = pdf[at + 7..]
        .iter()
        .copied()
        .take_while(u8::is_ascii_digit)
        .collect();
    std::str::from_utf8(&digits).ok()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_wrap_between_words_and_split_only_long_words() {
        assert_eq!(wrap("aa bb cc", 5), ["aa bb", "cc"]);
        assert_eq!(wrap("abcdefghij", 4), ["abcd", "efgh", "ij"]);
        assert_eq!(wrap("a\n\nb", 10), ["a", "", "b"]);
        for l in wrap(&"word ".repeat(100), COLUMNS) {
            assert!(l.chars().count() <= COLUMNS);
        }
    }

    #[test]
    fn text_is_win_ansi_and_the_rest_is_a_question_mark() {
        assert_eq!(
            win_ansi("Zoë “I agree” — ok"),
            b"Zo\xeb \x93I agree\x94 \x97 ok"
        );
        assert_eq!(win_ansi("李"), b"?");
    }
}
