//! Reading which rooms of the crate a Rust source file reaches, without a parser: comments and
//! literals are blanked, then every `crate::`, `$crate::` and room-leaving `super::` path is read.

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Import {
    pub line: usize,
    pub room: String,
}

/// The source with comments, string and char literals replaced by spaces (newlines kept, so
/// byte offsets still give line numbers).
fn blank_comments_and_strings(src: &str) -> String {
    let b = src.as_bytes();
    let mut out = b.to_vec();
    let blank = |out: &mut Vec<u8>, from: usize, to: usize| {
        for c in &mut out[from..to.min(b.len())] {
            if *c != b'\n' {
                *c = b' ';
            }
        }
    };
    let mut i = 0;
    while i < b.len() {
        let ident_before = i > 0 && (b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_');
        if b[i..].starts_with(b"//") {
            let end = b[i..]
                .iter()
                .position(|&c| c == b'\n')
                .map_or(b.len(), |p| i + p);
            blank(&mut out, i, end);
            i = end;
        } else if b[i..].starts_with(b"/*") {
            let (mut depth, mut j) = (1, i + 2);
            while j < b.len() && depth > 0 {
                if b[j..].starts_with(b"/*") {
                    depth += 1;
                    j += 2;
                } else if b[j..].starts_with(b"*/") {
                    depth -= 1;
                    j += 2;
                } else {
                    j += 1;
                }
            }
            blank(&mut out, i, j);
            i = j;
        } else if !ident_before
            && (b[i] == b'r' || (b[i] == b'b' && b.get(i + 1) == Some(&b'r')))
            && {
                let s = if b[i] == b'b' { i + 2 } else { i + 1 };
                let hashes = b[s..].iter().take_while(|&&c| c == b'#').count();
                b.get(s + hashes) == Some(&b'"')
            }
        {
            let s = if b[i] == b'b' { i + 2 } else { i + 1 };
            let hashes = b[s..].iter().take_while(|&&c| c == b'#').count();
            let mut close = vec![b'"'];
            close.extend(std::iter::repeat_n(b'#', hashes));
            let body = s + hashes + 1;
            let end = find(&b[body..], &close).map_or(b.len(), |p| body + p + close.len());
            blank(&mut out, i, end);
            i = end;
        } else if b[i] == b'"' {
            let mut j = i + 1;
            while j < b.len() && b[j] != b'"' {
                j += if b[j] == b'\\' { 2 } else { 1 };
            }
            blank(&mut out, i, j + 1);
            i = j + 1;
        } else if b[i] == b'\'' {
            // A char literal ('x', '\n', '\u{..}', '"'), or else a lifetime / label.
            if b.get(i + 1) == Some(&b'\\') {
                let end = b[i + 2..]
                    .iter()
                    .position(|&c| c == b'\'')
                    .map_or(b.len(), |p| i + 2 + p + 1);
                blank(&mut out, i, end);
                i = end;
            } else {
                let ch_len = src[i + 1..].chars().next().map_or(1, char::len_utf8);
                if b.get(i + 1 + ch_len) == Some(&b'\'') {
                    blank(&mut out, i, i + 2 + ch_len);
                    i += 2 + ch_len;
                } else {
                    i += 1;
                }
            }
        } else {
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn is_ident(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

fn ident_at(b: &[u8], i: usize) -> Option<&str> {
    let len = b[i..].iter().take_while(|&&c| is_ident(c)).count();
    (len > 0).then(|| std::str::from_utf8(&b[i..i + len]).unwrap_or_default())
}

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && b[i].is_ascii_whitespace() {
        i += 1;
    }
    i
}

/// The first segment of each item in a `{ … }` group starting at `open`: `{a::b, c}` → a, c.
fn group_heads(b: &[u8], open: usize) -> Vec<(usize, String)> {
    let mut heads = Vec::new();
    let (mut depth, mut i, mut expect_head) = (0usize, open, true);
    while i < b.len() {
        match b[i] {
            b'{' => {
                depth += 1;
                if depth == 1 {
                    expect_head = true;
                }
            }
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            b',' if depth == 1 => expect_head = true,
            c if depth == 1 && expect_head && is_ident(c) => {
                if let Some(id) = ident_at(b, i) {
                    heads.push((i, id.to_string()));
                    i += id.len();
                    expect_head = false;
                    continue;
                }
            }
            c if !c.is_ascii_whitespace() && depth == 1 => expect_head = false,
            _ => {}
        }
        i += 1;
    }
    heads
}

/// Every room of the crate that the file at module path `module` (e.g. `["web", "admin",
/// "login"]`) reaches, with the line it does so on. Inline `mod x { … }` blocks deepen the
/// path, so a test module's `super::` is resolved where it stands.
pub fn imports(src: &str, module: &[&str]) -> Vec<Import> {
    let clean = blank_comments_and_strings(src);
    let b = clean.as_bytes();
    let line_of = |at: usize| b[..at].iter().filter(|&&c| c == b'\n').count() + 1;
    let mut found = Vec::new();
    let mut push = |at: usize, room: &str| {
        if room != "self" && room != "super" {
            found.push(Import {
                line: line_of(at),
                room: room.to_string(),
            });
        }
    };
    // (name, brace depth inside it) of the inline modules we are in.
    let mut inline: Vec<(String, usize)> = Vec::new();
    let mut depth = 0usize;
    let mut i = 0;
    while i < b.len() {
        let boundary = i == 0 || !is_ident(b[i - 1]);
        if b[i] == b'{' {
            depth += 1;
        } else if b[i] == b'}' {
            if inline.last().is_some_and(|(_, d)| *d == depth) {
                inline.pop();
            }
            depth = depth.saturating_sub(1);
        } else if boundary && b[i..].starts_with(b"mod ") {
            let name_at = skip_ws(b, i + 4);
            if let Some(name) = ident_at(b, name_at) {
                let after = skip_ws(b, name_at + name.len());
                if b.get(after) == Some(&b'{') {
                    inline.push((name.to_string(), depth + 1));
                    depth += 1;
                    i = after + 1;
                    continue;
                }
            }
        } else if boundary && b[i..].starts_with(b"crate::") {
            let at = skip_ws(b, i + 7);
            if b.get(at) == Some(&b'{') {
                for (pos, head) in group_heads(b, at) {
                    push(pos, &head);
                }
            } else if let Some(room) = ident_at(b, at) {
                push(at, room);
            }
            i = at;
            continue;
        } else if boundary && b[i..].starts_with(b"super::") {
            // Climb from this module (the file's path plus inline modules).
            let mut here: Vec<String> = module.iter().map(|s| s.to_string()).collect();
            here.extend(inline.iter().map(|(n, _)| n.clone()));
            let mut at = i;
            while b[at..].starts_with(b"super::") {
                here.pop();
                at = skip_ws(b, at + 7);
            }
            if here.is_empty() {
                if b.get(at) == Some(&b'{') {
                    for (pos, head) in group_heads(b, at) {
                        push(pos, &head);
                    }
                } else if let Some(room) = ident_at(b, at) {
                    push(at, room);
                }
            }
            i = at;
            continue;
        }
        i += 1;
    }
    found
}
