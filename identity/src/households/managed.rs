//! Managed members: profiles a guardian creates for a child or dependant (no address,
//! no sign-in), their guardians, the coming-of-age notice and the hand-over claim.

/// What a managed member's `email` column starts with (`managed:<id>`): not an address,
/// so no sign-in, reset or code flow can reach the row, and no mail is queued to it.
pub const NO_ADDRESS_PREFIX: &str = "managed:";
