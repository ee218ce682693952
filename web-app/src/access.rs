//! The session in context: what the app knows of its reader (asked of `/api/session` at start,
//! and again after a sign-in or a request the gateway refused), and which page that allows:
//! the sign-in page, the one study of a share, or the app's own routes.

use std::cell::Cell;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::portal_api::CallError;
use crate::session::{self, Clinician, Session, ShareAccess, ShareToken};

/// What the app knows of its session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionState {
    /// Not known yet.
    Checking,
    Known(Session),
    /// `/api/session` failed: the portal does not answer as it should.
    Unreachable(CallError),
}

/// The session signal and a share link not yet traded (a context, provided by the app).
#[derive(Debug, Clone, Copy)]
pub struct Access {
    pub state: RwSignal<SessionState>,
    /// A share link's token, taken from the address bar, until it is traded for a session.
    pub share_link: RwSignal<Option<ShareToken>>,
}

thread_local! {
    /// The app's `Access`, for requests made outside any component (a refused DICOMweb call).
    static CURRENT: Cell<Option<Access>> = const { Cell::new(None) };
    /// A re-check after a refusal is under way (frames fail by the dozen).
    static RECHECKING: Cell<bool> = const { Cell::new(false) };
}

/// Puts the session in context and asks for it, unless a share link is in hand: its page
/// trades the link first, and the session that gives is the one kept.
pub fn provide_access(share_link: Option<ShareToken>) -> Access {
    let holding_link = share_link.is_some();
    let access = Access {
        state: RwSignal::new(SessionState::Checking),
        share_link: RwSignal::new(share_link),
    };
    provide_context(access);
    CURRENT.with(|c| c.set(Some(access)));
    if !holding_link {
        access.refresh();
    }
    access
}

pub fn use_access() -> Access {
    expect_context::<Access>()
}

async fn ask() -> SessionState {
    match session::current().await {
        Ok(s) => SessionState::Known(s),
        Err(e) => SessionState::Unreachable(e),
    }
}

impl Access {
    /// Asks `/api/session` again and keeps its answer.
    pub fn refresh(self) {
        spawn_local(async move { self.set(ask().await) });
    }

    /// A new state; pages change only when it differs from the one shown.
    pub fn set(self, state: SessionState) {
        if self.state.try_with_untracked(|s| *s != state) == Some(true) {
            let _ = self.state.try_set(state);
        }
    }

    /// The signed-in clinician (reactive).
    pub fn clinician(self) -> Option<Clinician> {
        self.state.with(|s| match s {
            SessionState::Known(Session::Clinician(c)) => Some(c.clone()),
            _ => None,
        })
    }

    /// In a share session: one study, and nothing else of the PACS within reach (reactive).
    pub fn is_share(self) -> bool {
        self.state
            .with(|s| matches!(s, SessionState::Known(Session::Share(_))))
    }
}

/// A DICOMweb request answered 401: the session ended or expired. The session is asked again
/// (once at a time), so the page becomes the sign-in page or the share's end rather than a
/// viewer of failing images.
pub fn session_refused() {
    let Some(access) = CURRENT.with(Cell::get) else {
        return;
    };
    if RECHECKING.with(|r| r.replace(true)) {
        return;
    }
    spawn_local(async move {
        let state = ask().await;
        RECHECKING.with(|r| r.set(false));
        access.set(state);
    });
}

/// The page the session allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Gate {
    /// Waiting for `/api/session`.
    Checking,
    Unreachable,
    SignIn {
        dev_login: bool,
        sign_in: bool,
    },
    /// A share link in hand, being opened (access code, refusals).
    ShareLink,
    /// The share session's one study.
    Shared(ShareAccess),
    /// `/share` without a link or a share session: the session ended, or the link is cut.
    ShareEnded,
    /// The app's routes (open access, or a clinician).
    Routes,
}

impl Gate {
    pub fn of(state: &SessionState, share_route: bool, holding_link: bool) -> Gate {
        if holding_link {
            return Gate::ShareLink;
        }
        match state {
            SessionState::Checking => Gate::Checking,
            SessionState::Unreachable(_) => Gate::Unreachable,
            SessionState::Known(Session::Share(access)) => Gate::Shared(access.clone()),
            SessionState::Known(_) if share_route => Gate::ShareEnded,
            SessionState::Known(Session::SignedOut { dev_login, sign_in }) => Gate::SignIn {
                dev_login: *dev_login,
                sign_in: *sign_in,
            },
            SessionState::Known(Session::Open | Session::Clinician(_)) => Gate::Routes,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::{Clinician, ShareAccess};

    fn known(session: Session) -> SessionState {
        SessionState::Known(session)
    }

    fn share() -> ShareAccess {
        ShareAccess {
            study_uid: "1.2.3".into(),
            expires_at_s: 0,
            recipient: None,
            shared_by: None,
            shared_at_s: None,
        }
    }

    #[test]
    fn a_link_in_hand_is_opened_before_anything_else() {
        let clinician = known(Session::Clinician(Clinician {
            name: "X".into(),
            dev: false,
            can_share: true,
            can_audit: false,
            sites: Vec::new(),
            site_refusal: None,
            region: Vec::new(),
        }));
        assert_eq!(Gate::of(&clinician, false, true), Gate::ShareLink);
        assert_eq!(
            Gate::of(&SessionState::Checking, true, true),
            Gate::ShareLink
        );
    }

    #[test]
    fn a_share_session_sees_its_study_only_and_the_share_page_needs_one() {
        let shared = known(Session::Share(share()));
        assert_eq!(Gate::of(&shared, false, false), Gate::Shared(share()));
        assert_eq!(
            Gate::of(&known(Session::Open), true, false),
            Gate::ShareEnded
        );
        let signed_out = known(Session::SignedOut {
            dev_login: false,
            sign_in: true,
        });
        assert_eq!(Gate::of(&signed_out, true, false), Gate::ShareEnded);
    }

    #[test]
    fn nobody_signed_in_is_asked_to_sign_in_and_the_app_waits_for_the_session() {
        let signed_out = known(Session::SignedOut {
            dev_login: true,
            sign_in: false,
        });
        assert_eq!(
            Gate::of(&signed_out, false, false),
            Gate::SignIn {
                dev_login: true,
                sign_in: false
            }
        );
        assert_eq!(
            Gate::of(&SessionState::Checking, false, false),
            Gate::Checking
        );
        assert_eq!(Gate::of(&known(Session::Open), false, false), Gate::Routes);
    }
}
