//! The clipboard through the terminal: OSC 52 asks the terminal itself to set it, so a
//! copy works over SSH and inside containers, with no display server on this machine.
//! The terminal owner writes the sequence (`super::run`'s loop), between frames.

use base64::Engine;

/// `ESC ] 52 ; c ; <base64 of the bytes> BEL`: set the clipboard (`c`) to `body`.
pub fn osc52(body: &[u8]) -> Vec<u8> {
    let b64 = base64::engine::general_purpose::STANDARD.encode(body);
    let mut out = Vec::with_capacity(b64.len() + 8);
    out.extend_from_slice(b"\x1b]52;c;");
    out.extend_from_slice(b64.as_bytes());
    out.push(0x07);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn osc52_carries_the_body_in_base64() {
        assert_eq!(osc52(b"hello"), b"\x1b]52;c;aGVsbG8=\x07");
        // Binary bodies go through untouched: the terminal decodes the base64.
        assert_eq!(osc52(&[0, 255]), b"\x1b]52;c;AP8=\x07");
        assert_eq!(osc52(b""), b"\x1b]52;c;\x07");
    }
}
