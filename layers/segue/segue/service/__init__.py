"""The imperative shell: load, decide, commit, dispatch. Handlers call one function here."""
