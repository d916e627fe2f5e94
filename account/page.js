// Helpium's account pages: accepting an invitation and resetting a
// password, over the public GraphQL API. The emailed link's token is read
// from the URL fragment and removed from the address bar at once.
"use strict";
(function () {
  const page = document.body.dataset.page;
  const token = new URLSearchParams(location.hash.slice(1)).get("token") || "";
  if (location.hash) history.replaceState(null, "", location.pathname);

  const status = document.getElementById("status");
  status.tabIndex = -1;
  function show(message, isError) {
    status.textContent = message;
    status.className = isError ? "error" : "";
    status.focus();
  }
  function finish(message) {
    for (const form of document.forms) form.hidden = true;
    show(message, false);
  }

  async function graphql(query, variables, bearer) {
    const headers = { "Content-Type": "application/json" };
    if (bearer) headers.Authorization = "Bearer " + bearer;
    const res = await fetch("/graphql", { method: "POST", headers, body: JSON.stringify({ query, variables }) });
    const body = await res.json().catch(() => ({ errors: [{ message: "The server answered " + res.status + "." }] }));
    if (body.errors && body.errors.length) throw new Error(body.errors[0].message);
    return body.data;
  }

  function onSubmit(id, handle) {
    const form = document.getElementById(id);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const button = form.querySelector("button");
      button.disabled = true;
      try {
        await handle(new FormData(form));
      } catch (err) {
        show(err.message, true);
      } finally {
        button.disabled = false;
      }
    });
    return form;
  }

  function samePasswords(data) {
    if (data.get("password") !== data.get("confirm")) throw new Error("The two passwords differ.");
    return data.get("password");
  }

  const accept = "mutation($input: AcceptInvitationInput!) { acceptInvitation(input: $input) { role } }";
  const logout = "mutation { logout }";

  if (page === "invitation") {
    if (!token) {
      finish("Open this page from the link in your invitation email.");
      status.className = "error";
      return;
    }
    onSubmit("create", async (data) => {
      const password = samePasswords(data);
      const out = await graphql(accept, { input: { token, name: data.get("name"), password } });
      finish("Welcome! You joined the workspace as " + out.acceptInvitation.role.toLowerCase() +
        ". Sign in with your email and the password you chose.");
    });
    onSubmit("existing", async (data) => {
      const login = await graphql("mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }",
        { e: data.get("email"), p: data.get("password") });
      const bearer = login.login.token;
      try {
        const out = await graphql(accept, { input: { token } }, bearer);
        finish("Done: you joined the workspace as " + out.acceptInvitation.role.toLowerCase() + ".");
      } finally {
        await graphql(logout, {}, bearer).catch(() => {});
      }
    });
  }

  if (page === "reset-password") {
    const request = onSubmit("request", async (data) => {
      await graphql("mutation($e: String!) { requestPasswordReset(email: $e) }", { e: data.get("email") });
      finish("If " + data.get("email") + " has a Helpium account, a reset link is on its way. It works for one hour.");
    });
    const reset = onSubmit("reset", async (data) => {
      const password = samePasswords(data);
      const out = await graphql("mutation($t: String!, $p: String!) { resetPassword(token: $t, newPassword: $p) { token } }",
        { t: token, p: password });
      await graphql(logout, {}, out.resetPassword.token).catch(() => {});
      finish("Your password is changed, and every session of your account is signed out. Sign in with the new password.");
    });
    (token ? request : reset).hidden = true;
  }
})();
