//! Step-up strength: what a session must have proved before a sensitive action
//! (changing the email or password, adding or removing a factor, new recovery codes).
//!
//! Freshness alone is not enough (issue 10, item 6): a sign-in completed by a
//! remembered device proved only the password (`foyer:pwd`), and must not be able to
//! remove the second factor it skipped. An account with two-step verification needs
//! `foyer:mfa` or `foyer:passkey`; a re-authentication with the second factor (or a
//! passkey) lifts the session to that level.

use super::login::acr_of;
use super::mfa::SecondFactors;
use crate::principal::{Action, Principal, Subject, authorize};
use crate::{Identity, Result};

/// The levels in order of strength; anything unknown is the weakest.
fn rank(acr: &str) -> u8 {
    match acr {
        "foyer:mfa" => 2,
        "foyer:passkey" => 1,
        _ => 0,
    }
}

/// The rule: may a session at level `acr` take a sensitive action on an account with
/// these `factors`? With two-step verification on, only `foyer:mfa` or
/// `foyer:passkey`; otherwise any level (the account has nothing stronger).
pub fn strong_enough(acr: &str, factors: &SecondFactors) -> bool {
    !factors.any() || rank(acr) >= rank("foyer:passkey")
}

/// The session's level after a step-up proving `step_up` (`amr`): the stronger of the
/// two, with the methods that give it. `None` when the session's own level stays.
pub fn lifted(session_acr: &str, step_up: &[&'static str]) -> Option<(&'static str, Vec<&'static str>)> {
    let acr = acr_of(step_up);
    (rank(acr) > rank(session_acr)).then(|| (acr, step_up.to_vec()))
}

impl Identity {
    /// [`strong_enough`] for this customer's factors now.
    pub async fn step_up_strong_enough(&self, principal: &Principal, customer_id: &str, acr: &str) -> Result<bool> {
        authorize(principal, Action::ViewAccount, Subject::Customer(customer_id))?;
        Ok(strong_enough(acr, &self.second_factors(customer_id).await?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn factors(totp: bool, passkeys: i64, password: bool) -> SecondFactors {
        SecondFactors { totp, passkeys, recovery_codes_left: 0, password }
    }

    #[test]
    fn two_step_accounts_need_a_strong_level() {
        let app = factors(true, 0, true);
        let pwd_and_passkey = factors(false, 1, true);
        for f in [app, pwd_and_passkey] {
            assert!(!strong_enough("foyer:pwd", &f), "a password (remembered device) is not enough");
            assert!(!strong_enough("anything", &f));
            assert!(strong_enough("foyer:mfa", &f));
            assert!(strong_enough("foyer:passkey", &f));
        }
    }

    #[test]
    fn accounts_without_a_second_factor_need_nothing_more() {
        assert!(strong_enough("foyer:pwd", &factors(false, 0, true)));
        // A passkey-only account signs in with a mailed code too (its mailbox is its
        // recovery): that is as strong as it gets without a second factor.
        assert!(strong_enough("foyer:pwd", &factors(false, 2, false)));
    }

    #[test]
    fn a_step_up_only_lifts() {
        assert_eq!(lifted("foyer:pwd", &["pwd", "otp", "mfa"]), Some(("foyer:mfa", vec!["pwd", "otp", "mfa"])));
        assert_eq!(lifted("foyer:pwd", &["hwk", "user"]), Some(("foyer:passkey", vec!["hwk", "user"])));
        assert_eq!(lifted("foyer:mfa", &["hwk", "user"]), None, "never lowered");
        assert_eq!(lifted("foyer:pwd", &["pwd"]), None);
        assert_eq!(lifted("foyer:passkey", &["pwd", "mfa"]), Some(("foyer:mfa", vec!["pwd", "mfa"])));
    }
}
