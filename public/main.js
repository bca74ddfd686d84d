// The playground page: signed out, the sign-in form; signed in, the ask form, the answers, the
// sessions, the leaderboard and the usage, and the API keys in a view of their own. Every part
// talks to the API as any client would.
import { clearApiKeys } from "./api-keys.js";
import "./ask.js";
import { currentLogin, onLoginChange, signIn, signOut } from "./auth.js";
import { byId, clearAlert, showAlert } from "./dom.js";
import { failure } from "./http.js";
import { clearLeaderboard, loadLeaderboard } from "./leaderboard.js";
import { loadModels } from "./models.js";
import { clearSessions, loadSessions } from "./sessions.js";
import { startNewSession } from "./transcript.js";
import { clearUsage, loadUsage } from "./usage.js";

const signedOut = byId("signed-out");
const signedIn = byId("signed-in");
const account = byId("account");
const signInForm = byId("sign-in");

/** The user on screen: the page changes only when this changes, not on every token refresh. */
let shownUserId;

function show(login) {
  const userId = login?.user.id ?? null;
  if (userId === shownUserId) return;
  shownUserId = userId;
  clearApiKeys();
  signedOut.hidden = login !== null;
  signedIn.hidden = account.hidden = login === null;
  if (login === null) {
    byId("password").value = "";
    clearSessions();
    clearLeaderboard();
    clearUsage();
    return;
  }
  byId("account-email").textContent = login.user.email;
  startNewSession();
  loadModels().catch((error) => showAlert(failure("Loading the models", error)));
  loadSessions();
  loadLeaderboard();
  loadUsage();
}

signInForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  clearAlert();
  const kind = event.submitter?.value === "register" ? "register" : "login";
  try {
    await signIn(kind, byId("email").value, byId("password").value);
  } catch (error) {
    showAlert(failure(kind === "register" ? "Register" : "Sign in", error));
  }
});

byId("log-out").addEventListener("click", async () => {
  clearAlert();
  try {
    await signOut();
  } catch (error) {
    showAlert(failure("Log out", error));
  }
});

addEventListener("playground:asked", () => {
  loadSessions();
  loadUsage();
});
addEventListener("playground:voted", () => {
  loadSessions();
  loadLeaderboard();
});

onLoginChange(show);
show(currentLogin());
