# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_harden_global_optspecs
    string join \n color= q/quiet h/help V/version
end

function __fish_harden_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_harden_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_harden_using_subcommand
    set -l cmd (__fish_harden_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c harden -n "__fish_harden_needs_command" -l color -d 'When to use colours (NO_COLOR is honoured with `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c harden -n "__fish_harden_needs_command" -s q -l quiet -d 'Do not print harden\'s own notices (summaries, assumptions); errors are still printed. Goes before the subcommand: after `run`, `-q` is docker\'s `--quiet`'
complete -c harden -n "__fish_harden_needs_command" -s h -l help -d 'Print help'
complete -c harden -n "__fish_harden_needs_command" -s V -l version -d 'Print version'
complete -c harden -n "__fish_harden_needs_command" -f -a "learn" -d 'Find what an image needs to work hardened, by trial runs, and write its profile'
complete -c harden -n "__fish_harden_needs_command" -f -a "rules" -d 'List the rules'
complete -c harden -n "__fish_harden_needs_command" -f -a "explain" -d 'Explain a rule: why it matters, an example, its fix, how to waive it, references'
complete -c harden -n "__fish_harden_needs_command" -f -a "completions" -d 'Print a shell completion script (bash, zsh, fish, powershell, elvish)'
complete -c harden -n "__fish_harden_needs_command" -f -a "compose" -d 'Lint, fix, print or bring up a Docker Compose project with the same rules'
complete -c harden -n "__fish_harden_needs_command" -f -a "stack" -d 'Deploy a Compose project to Swarm, hardened: `harden stack deploy -c FILE STACK`'
complete -c harden -n "__fish_harden_needs_command" -f -a "audit" -d 'Check running containers (or all with --all) against the rules and the preset'
complete -c harden -n "__fish_harden_needs_command" -f -a "proxy" -d 'Serve the Engine API to every client (Compose, CI runners, SDKs) with the doors to privilege judged: `harden proxy --listen unix:///run/harden/docker.sock`'
complete -c harden -n "__fish_harden_needs_command" -f -a "man" -d 'Print the man page (roff): `harden man | man -l -`'
complete -c harden -n "__fish_harden_needs_command" -f -a "trust" -d 'Trust a project\'s .harden.yaml as it is now (needed when it weakens the policy)'
complete -c harden -n "__fish_harden_needs_command" -f -a "presets" -d 'List the presets, or show one resolved'
complete -c harden -n "__fish_harden_needs_command" -f -a "run" -d 'Harden, create, start and attach a container: accepts every `docker run` flag'
complete -c harden -n "__fish_harden_needs_command" -f -a "create" -d 'Harden and create a container without starting it (drop-in for `docker create`)'
complete -c harden -n "__fish_harden_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c harden -n "__fish_harden_using_subcommand learn" -l color -d 'When to use colours (NO_COLOR is honoured with `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c harden -n "__fish_harden_using_subcommand rules" -l format -d 'Output format' -r -f -a "text\t''
json\t''
markdown\t''"
complete -c harden -n "__fish_harden_using_subcommand rules" -l color -d 'When to use colours (NO_COLOR is honoured with `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c harden -n "__fish_harden_using_subcommand rules" -s h -l help -d 'Print help'
complete -c harden -n "__fish_harden_using_subcommand explain" -l color -d 'When to use colours (NO_COLOR is honoured with `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c harden -n "__fish_harden_using_subcommand explain" -s h -l help -d 'Print help'
complete -c harden -n "__fish_harden_using_subcommand completions" -l color -d 'When to use colours (NO_COLOR is honoured with `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c harden -n "__fish_harden_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c harden -n "__fish_harden_using_subcommand compose; and not __fish_seen_subcommand_from lint fix config up run create help" -s f -l file -d 'Compose file (repeatable; default: as `docker compose` finds them, or $COMPOSE_FILE)' -r -F
complete -c harden -n "__fish_harden_using_subcommand compose; and not __fish_seen_subcommand_from lint fix config up run create help" -s p -l project-name -d 'Project name (default: $COMPOSE_PROJECT_NAME, else `name:`, else the directory\'s name)' -r
complete -c harden -n "__fish_harden_using_subcommand compose; and not __fish_seen_subcommand_from lint fix config up run create help" -l project-directory -d 'The project directory (default: the first file\'s directory)' -r -F
complete -c harden -n "__fish_harden_using_subcommand compose; and not __fish_seen_subcommand_from lint fix config up run create help" -l env-file -d 'Variables file(s) instead of the project\'s `.env` (repeatable)' -r -F
complete -c harden -n "__fish_harden_using_subcommand compose; and not __fish_seen_subcommand_from lint fix config up run create help" -l profile -d 'Profile to enable for `docker compose` (repeatable; harden lints every service anyway)' -r
complete -c harden -n "__fish_harden_using_subcommand compose; and not __fish_seen_subcommand_from lint fix config up run create help" -l ansi -d 'Passed on to `docker compose`' -r
complete -c harden -n "__fish_harden_using_subcommand compose; and not __fish_seen_subcommand_from lint fix config up run create help" -l progress -d 'Passed on to `docker compose`' -r
complete -c harden -n "__fish_harden_using_subcommand compose; and not __fish_seen_subcommand_from lint fix config up run create help" -l parallel -d 'Passed on to `docker compose`' -r
complete -c harden -n "__fish_harden_using_subcommand compose; and not __fish_seen_subcommand_from lint fix config up run create help" -l preset -d 'Preset name or path (default: $HARDEN_PRESET, else .harden.yaml, else `default`)' -r
complete -c harden -n "__fish_harden_using_subcommand compose; and not __fish_seen_subcommand_from lint fix config up run create help" -l allow -d 'Waive a rule for this invocation (repeatable)' -r
complete -c harden -n "__fish_harden_using_subcommand compose; and not __fish_seen_subcommand_from lint fix config up run create help" -l color -d 'When to use colours (NO_COLOR is honoured with `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c harden -n "__fish_harden_using_subcommand compose; and not __fish_seen_subcommand_from lint fix config up run create help" -l compatibility -d 'Passed on to `docker compose`'
complete -c harden -n "__fish_harden_using_subcommand compose; and not __fish_seen_subcommand_from lint fix config up run create help" -l dry-run -d 'Passed on to `docker compose`'
complete -c harden -n "__fish_harden_using_subcommand compose; and not __fish_seen_subcommand_from lint fix config up run create help" -l trust-project -d 'Accept, for this command, a project .harden.yaml that weakens the policy (also HARDEN_TRUST_PROJECT=1); `harden trust` accepts it until it changes'
complete -c harden -n "__fish_harden_using_subcommand compose; and not __fish_seen_subcommand_from lint fix config up run create help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c harden -n "__fish_harden_using_subcommand compose; and not __fish_seen_subcommand_from lint fix config up run create help" -f -a "lint" -d 'Report what the rules find, per service, with file:line:column'
complete -c harden -n "__fish_harden_using_subcommand compose; and not __fish_seen_subcommand_from lint fix config up run create help" -f -a "fix" -d 'Rewrite the files with every fixable rule, keeping comments and style'
complete -c harden -n "__fish_harden_using_subcommand compose; and not __fish_seen_subcommand_from lint fix config up run create help" -f -a "config" -d 'Print the hardened project: `docker compose config ARGS` on it (Compose v2), else harden\'s own rendering'
complete -c harden -n "__fish_harden_using_subcommand compose; and not __fish_seen_subcommand_from lint fix config up run create help" -f -a "up" -d 'Harden, then `docker compose up` with ARGS (refused when a deny rule fires)'
complete -c harden -n "__fish_harden_using_subcommand compose; and not __fish_seen_subcommand_from lint fix config up run create help" -f -a "run" -d 'Harden, then `docker compose run` with ARGS'
complete -c harden -n "__fish_harden_using_subcommand compose; and not __fish_seen_subcommand_from lint fix config up run create help" -f -a "create" -d 'Harden, then `docker compose create` with ARGS'
complete -c harden -n "__fish_harden_using_subcommand compose; and not __fish_seen_subcommand_from lint fix config up run create help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c harden -n "__fish_harden_using_subcommand compose; and __fish_seen_subcommand_from lint" -l format -r -f -a "text\t''
json\t''
sarif\t''
github\t''"
complete -c harden -n "__fish_harden_using_subcommand compose; and __fish_seen_subcommand_from lint" -l fail-on -d 'Exit 1 when a finding at or above this severity is left' -r -f -a "error\t''
warning\t''
info\t''
never\t''"
complete -c harden -n "__fish_harden_using_subcommand compose; and __fish_seen_subcommand_from lint" -l target -d 'The engine the project is for: `swarm` judges what `docker stack deploy` carries' -r -f -a "compose\t'`docker compose` (Compose v2) on one engine'
swarm\t'`docker stack deploy` on a Swarm: no `security_opt`, no service-level tmpfs, no host address for published ports, limits only under `deploy.resources`'"
complete -c harden -n "__fish_harden_using_subcommand compose; and __fish_seen_subcommand_from lint" -s f -l file -d 'Compose file (repeatable; default: as `docker compose` finds them, or $COMPOSE_FILE)' -r -F
complete -c harden -n "__fish_harden_using_subcommand compose; and __fish_seen_subcommand_from lint" -s p -l project-name -d 'Project name (default: $COMPOSE_PROJECT_NAME, else `name:`, else the directory\'s name)' -r
complete -c harden -n "__fish_harden_using_subcommand compose; and __fish_seen_subcommand_from lint" -l project-directory -d 'The project directory (default: the first file\'s directory)' -r -F
complete -c harden -n "__fish_harden_using_subcommand compose; and __fish_seen_subcommand_from lint" -l env-file -d 'Variables file(s) instead of the project\'s `.env` (repeatable)' -r -F
complete -c harden -n "__fish_harden_using_subcommand compose; and __fish_seen_subcommand_from lint" -l profile -d 'Profile to enable for `docker compose` (repeatable; harden lints every service anyway)' -r
complete -c harden -n "__fish_harden_using_subcommand compose; and __fish_seen_subcommand_from lint" -l ansi -d 'Passed on to `docker compose`' -r
complete -c harden -n "__fish_harden_using_subcommand compose; and __fish_seen_subcommand_from lint" -l progress -d 'Passed on to `docker compose`' -r
complete -c harden -n "__fish_harden_using_subcommand compose; and __fish_seen_subcommand_from lint" -l parallel -d 'Passed on to `docker compose`' -r
complete -c harden -n "__fish_harden_using_subcommand compose; and __fish_seen_subcommand_from lint" -l preset -d 'Preset name or path (default: $HARDEN_PRESET, else .harden.yaml, else `default`)' -r
complete -c harden -n "__fish_harden_using_subcommand compose; and __fish_seen_subcommand_from lint" -l allow -d 'Waive a rule for this invocation (repeatable)' -r
complete -c harden -n "__fish_harden_using_subcommand compose; and __fish_seen_subcommand_from lint" -l color -d 'When to use colours (NO_COLOR is honoured with `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c harden -n "__fish_harden_using_subcommand compose; and __fish_seen_subcommand_from lint" -l compatibility -d 'Passed on to `docker compose`'
complete -c harden -n "__fish_harden_using_subcommand compose; and __fish_seen_subcommand_from lint" -l dry-run -d 'Passed on to `docker compose`'
complete -c harden -n "__fish_harden_using_subcommand compose; and __fish_seen_subcommand_from lint" -l trust-project -d 'Accept, for this command, a project .harden.yaml that weakens the policy (also HARDEN_TRUST_PROJECT=1); `harden trust` accepts it until it changes'
complete -c harden -n "__fish_harden_using_subcommand compose; and __fish_seen_subcommand_from lint" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c harden -n "__fish_harden_using_subcommand compose; and __fish_seen_subcommand_from fix" -l target -d 'The engine the project is for: `swarm` writes what `docker stack deploy` carries' -r -f -a "compose\t'`docker compose` (Compose v2) on one engine'
swarm\t'`docker stack deploy` on a Swarm: no `security_opt`, no service-level tmpfs, no host address for published ports, limits only under `deploy.resources`'"
complete -c harden -n "__fish_harden_using_subcommand compose; and __fish_seen_subcommand_from fix" -s f -l file -d 'Compose file (repeatable; default: as `docker compose` finds them, or $COMPOSE_FILE)' -r -F
complete -c harden -n "__fish_harden_using_subcommand compose; and __fish_seen_subcommand_from fix" -s p -l project-name -d 'Project name (default: $COMPOSE_PROJECT_NAME, else `name:`, else the directory\'s name)' -r
complete -c harden -n "__fish_harden_using_subcommand compose; and __fish_seen_subcommand_from fix" -l project-directory -d 'The project directory (default: the first file\'s directory)' -r -F
complete -c harden -n "__fish_harden_using_subcommand compose; and __fish_seen_subcommand_from fix" -l env-file -d 'Variables file(s) instead of the project\'s `.env` (repeatable)' -r -F
complete -c harden -n "__fish_harden_using_subcommand compose; and __fish_seen_subcommand_from fix" -l profile -d 'Profile to enable for `docker compose` (repeatable; harden lints every service anyway)' -r
complete -c harden -n "__fish_harden_using_subcommand compose; and __fish_seen_subcommand_from fix" -l ansi -d 'Passed on to `docker compose`' -r
complete -c harden -n "__fish_harden_using_subcommand compose; and __fish_seen_subcommand_from fix" -l progress -d 'Passed on to `docker compose`' -r
complete -c harden -n "__fish_harden_using_subcommand compose; and __fish_seen_subcommand_from fix" -l parallel -d 'Passed on to `docker compose`' -r
complete -c harden -n "__fish_harden_using_subcommand compose; and __fish_seen_subcommand_from fix" -l preset -d 'Preset name or path (default: $HARDEN_PRESET, else .harden.yaml, else `default`)' -r
complete -c harden -n "__fish_harden_using_subcommand compose; and __fish_seen_subcommand_from fix" -l allow -d 'Waive a rule for this invocation (repeatable)' -r
complete -c harden -n "__fish_harden_using_subcommand compose; and __fish_seen_subcommand_from fix" -l color -d 'When to use colours (NO_COLOR is honoured with `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c harden -n "__fish_harden_using_subcommand compose; and __fish_seen_subcommand_from fix" -l diff -d 'Print a unified diff; write nothing'
complete -c harden -n "__fish_harden_using_subcommand compose; and __fish_seen_subcommand_from fix" -l check -d 'Exit 1 when something would change; write nothing'
complete -c harden -n "__fish_harden_using_subcommand compose; and __fish_seen_subcommand_from fix" -l stdout -d 'Print the fixed file(s); write nothing'
complete -c harden -n "__fish_harden_using_subcommand compose; and __fish_seen_subcommand_from fix" -l review -d 'Ask before each change (needs a terminal)'
complete -c harden -n "__fish_harden_using_subcommand compose; and __fish_seen_subcommand_from fix" -l compatibility -d 'Passed on to `docker compose`'
complete -c harden -n "__fish_harden_using_subcommand compose; and __fish_seen_subcommand_from fix" -l dry-run -d 'Passed on to `docker compose`'
complete -c harden -n "__fish_harden_using_subcommand compose; and __fish_seen_subcommand_from fix" -l trust-project -d 'Accept, for this command, a project .harden.yaml that weakens the policy (also HARDEN_TRUST_PROJECT=1); `harden trust` accepts it until it changes'
complete -c harden -n "__fish_harden_using_subcommand compose; and __fish_seen_subcommand_from fix" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c harden -n "__fish_harden_using_subcommand compose; and __fish_seen_subcommand_from config" -s f -l file -d 'Compose file (repeatable; default: as `docker compose` finds them, or $COMPOSE_FILE)' -r -F
complete -c harden -n "__fish_harden_using_subcommand compose; and __fish_seen_subcommand_from config" -s p -l project-name -d 'Project name (default: $COMPOSE_PROJECT_NAME, else `name:`, else the directory\'s name)' -r
complete -c harden -n "__fish_harden_using_subcommand compose; and __fish_seen_subcommand_from config" -l project-directory -d 'The project directory (default: the first file\'s directory)' -r -F
complete -c harden -n "__fish_harden_using_subcommand compose; and __fish_seen_subcommand_from config" -l env-file -d 'Variables file(s) instead of the project\'s `.env` (repeatable)' -r -F
complete -c harden -n "__fish_harden_using_subcommand compose; and __fish_seen_subcommand_from config" -l profile -d 'Profile to enable for `docker compose` (repeatable; harden lints every service anyway)' -r
complete -c harden -n "__fish_harden_using_subcommand compose; and __fish_seen_subcommand_from config" -l ansi -d 'Passed on to `docker compose`' -r
complete -c harden -n "__fish_harden_using_subcommand compose; and __fish_seen_subcommand_from config" -l progress -d 'Passed on to `docker compose`' -r
complete -c harden -n "__fish_harden_using_subcommand compose; and __fish_seen_subcommand_from config" -l parallel -d 'Passed on to `docker compose`' -r
complete -c harden -n "__fish_harden_using_subcommand compose; and __fish_seen_subcommand_from config" -l preset -d 'Preset name or path (default: $HARDEN_PRESET, else .harden.yaml, else `default`)' -r
complete -c harden -n "__fish_harden_using_subcommand compose; and __fish_seen_subcommand_from config" -l allow -d 'Waive a rule for this invocation (repeatable)' -r
complete -c harden -n "__fish_harden_using_subcommand compose; and __fish_seen_subcommand_from config" -l color -d 'When to use colours (NO_COLOR is honoured with `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c harden -n "__fish_harden_using_subcommand compose; and __fish_seen_subcommand_from config" -l compatibility -d 'Passed on to `docker compose`'
complete -c harden -n "__fish_harden_using_subcommand compose; and __fish_seen_subcommand_from config" -l dry-run -d 'Passed on to `docker compose`'
complete -c harden -n "__fish_harden_using_subcommand compose; and __fish_seen_subcommand_from config" -l trust-project -d 'Accept, for this command, a project .harden.yaml that weakens the policy (also HARDEN_TRUST_PROJECT=1); `harden trust` accepts it until it changes'
complete -c harden -n "__fish_harden_using_subcommand compose; and __fish_seen_subcommand_from up" -s f -l file -d 'Compose file (repeatable; default: as `docker compose` finds them, or $COMPOSE_FILE)' -r -F
complete -c harden -n "__fish_harden_using_subcommand compose; and __fish_seen_subcommand_from up" -s p -l project-name -d 'Project name (default: $COMPOSE_PROJECT_NAME, else `name:`, else the directory\'s name)' -r
complete -c harden -n "__fish_harden_using_subcommand compose; and __fish_seen_subcommand_from up" -l project-directory -d 'The project directory (default: the first file\'s directory)' -r -F
complete -c harden -n "__fish_harden_using_subcommand compose; and __fish_seen_subcommand_from up" -l env-file -d 'Variables file(s) instead of the project\'s `.env` (repeatable)' -r -F
complete -c harden -n "__fish_harden_using_subcommand compose; and __fish_seen_subcommand_from up" -l profile -d 'Profile to enable for `docker compose` (repeatable; harden lints every service anyway)' -r
complete -c harden -n "__fish_harden_using_subcommand compose; and __fish_seen_subcommand_from up" -l ansi -d 'Passed on to `docker compose`' -r
complete -c harden -n "__fish_harden_using_subcommand compose; and __fish_seen_subcommand_from up" -l progress -d 'Passed on to `docker compose`' -r
complete -c harden -n "__fish_harden_using_subcommand compose; and __fish_seen_subcommand_from up" -l parallel -d 'Passed on to `docker compose`' -r
complete -c harden -n "__fish_harden_using_subcommand compose; and __fish_seen_subcommand_from up" -l preset -d 'Preset name or path (default: $HARDEN_PRESET, else .harden.yaml, else `default`)' -r
complete -c harden -n "__fish_harden_using_subcommand compose; and __fish_seen_subcommand_from up" -l allow -d 'Waive a rule for this invocation (repeatable)' -r
complete -c harden -n "__fish_harden_using_subcommand compose; and __fish_seen_subcommand_from up" -l color -d 'When to use colours (NO_COLOR is honoured with `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c harden -n "__fish_harden_using_subcommand compose; and __fish_seen_subcommand_from up" -l compatibility -d 'Passed on to `docker compose`'
complete -c harden -n "__fish_harden_using_subcommand compose; and __fish_seen_subcommand_from up" -l dry-run -d 'Passed on to `docker compose`'
complete -c harden -n "__fish_harden_using_subcommand compose; and __fish_seen_subcommand_from up" -l trust-project -d 'Accept, for this command, a project .harden.yaml that weakens the policy (also HARDEN_TRUST_PROJECT=1); `harden trust` accepts it until it changes'
complete -c harden -n "__fish_harden_using_subcommand compose; and __fish_seen_subcommand_from run" -s f -l file -d 'Compose file (repeatable; default: as `docker compose` finds them, or $COMPOSE_FILE)' -r -F
complete -c harden -n "__fish_harden_using_subcommand compose; and __fish_seen_subcommand_from run" -s p -l project-name -d 'Project name (default: $COMPOSE_PROJECT_NAME, else `name:`, else the directory\'s name)' -r
complete -c harden -n "__fish_harden_using_subcommand compose; and __fish_seen_subcommand_from run" -l project-directory -d 'The project directory (default: the first file\'s directory)' -r -F
complete -c harden -n "__fish_harden_using_subcommand compose; and __fish_seen_subcommand_from run" -l env-file -d 'Variables file(s) instead of the project\'s `.env` (repeatable)' -r -F
complete -c harden -n "__fish_harden_using_subcommand compose; and __fish_seen_subcommand_from run" -l profile -d 'Profile to enable for `docker compose` (repeatable; harden lints every service anyway)' -r
complete -c harden -n "__fish_harden_using_subcommand compose; and __fish_seen_subcommand_from run" -l ansi -d 'Passed on to `docker compose`' -r
complete -c harden -n "__fish_harden_using_subcommand compose; and __fish_seen_subcommand_from run" -l progress -d 'Passed on to `docker compose`' -r
complete -c harden -n "__fish_harden_using_subcommand compose; and __fish_seen_subcommand_from run" -l parallel -d 'Passed on to `docker compose`' -r
complete -c harden -n "__fish_harden_using_subcommand compose; and __fish_seen_subcommand_from run" -l preset -d 'Preset name or path (default: $HARDEN_PRESET, else .harden.yaml, else `default`)' -r
complete -c harden -n "__fish_harden_using_subcommand compose; and __fish_seen_subcommand_from run" -l allow -d 'Waive a rule for this invocation (repeatable)' -r
complete -c harden -n "__fish_harden_using_subcommand compose; and __fish_seen_subcommand_from run" -l color -d 'When to use colours (NO_COLOR is honoured with `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c harden -n "__fish_harden_using_subcommand compose; and __fish_seen_subcommand_from run" -l compatibility -d 'Passed on to `docker compose`'
complete -c harden -n "__fish_harden_using_subcommand compose; and __fish_seen_subcommand_from run" -l dry-run -d 'Passed on to `docker compose`'
complete -c harden -n "__fish_harden_using_subcommand compose; and __fish_seen_subcommand_from run" -l trust-project -d 'Accept, for this command, a project .harden.yaml that weakens the policy (also HARDEN_TRUST_PROJECT=1); `harden trust` accepts it until it changes'
complete -c harden -n "__fish_harden_using_subcommand compose; and __fish_seen_subcommand_from create" -s f -l file -d 'Compose file (repeatable; default: as `docker compose` finds them, or $COMPOSE_FILE)' -r -F
complete -c harden -n "__fish_harden_using_subcommand compose; and __fish_seen_subcommand_from create" -s p -l project-name -d 'Project name (default: $COMPOSE_PROJECT_NAME, else `name:`, else the directory\'s name)' -r
complete -c harden -n "__fish_harden_using_subcommand compose; and __fish_seen_subcommand_from create" -l project-directory -d 'The project directory (default: the first file\'s directory)' -r -F
complete -c harden -n "__fish_harden_using_subcommand compose; and __fish_seen_subcommand_from create" -l env-file -d 'Variables file(s) instead of the project\'s `.env` (repeatable)' -r -F
complete -c harden -n "__fish_harden_using_subcommand compose; and __fish_seen_subcommand_from create" -l profile -d 'Profile to enable for `docker compose` (repeatable; harden lints every service anyway)' -r
complete -c harden -n "__fish_harden_using_subcommand compose; and __fish_seen_subcommand_from create" -l ansi -d 'Passed on to `docker compose`' -r
complete -c harden -n "__fish_harden_using_subcommand compose; and __fish_seen_subcommand_from create" -l progress -d 'Passed on to `docker compose`' -r
complete -c harden -n "__fish_harden_using_subcommand compose; and __fish_seen_subcommand_from create" -l parallel -d 'Passed on to `docker compose`' -r
complete -c harden -n "__fish_harden_using_subcommand compose; and __fish_seen_subcommand_from create" -l preset -d 'Preset name or path (default: $HARDEN_PRESET, else .harden.yaml, else `default`)' -r
complete -c harden -n "__fish_harden_using_subcommand compose; and __fish_seen_subcommand_from create" -l allow -d 'Waive a rule for this invocation (repeatable)' -r
complete -c harden -n "__fish_harden_using_subcommand compose; and __fish_seen_subcommand_from create" -l color -d 'When to use colours (NO_COLOR is honoured with `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c harden -n "__fish_harden_using_subcommand compose; and __fish_seen_subcommand_from create" -l compatibility -d 'Passed on to `docker compose`'
complete -c harden -n "__fish_harden_using_subcommand compose; and __fish_seen_subcommand_from create" -l dry-run -d 'Passed on to `docker compose`'
complete -c harden -n "__fish_harden_using_subcommand compose; and __fish_seen_subcommand_from create" -l trust-project -d 'Accept, for this command, a project .harden.yaml that weakens the policy (also HARDEN_TRUST_PROJECT=1); `harden trust` accepts it until it changes'
complete -c harden -n "__fish_harden_using_subcommand compose; and __fish_seen_subcommand_from help" -f -a "lint" -d 'Report what the rules find, per service, with file:line:column'
complete -c harden -n "__fish_harden_using_subcommand compose; and __fish_seen_subcommand_from help" -f -a "fix" -d 'Rewrite the files with every fixable rule, keeping comments and style'
complete -c harden -n "__fish_harden_using_subcommand compose; and __fish_seen_subcommand_from help" -f -a "config" -d 'Print the hardened project: `docker compose config ARGS` on it (Compose v2), else harden\'s own rendering'
complete -c harden -n "__fish_harden_using_subcommand compose; and __fish_seen_subcommand_from help" -f -a "up" -d 'Harden, then `docker compose up` with ARGS (refused when a deny rule fires)'
complete -c harden -n "__fish_harden_using_subcommand compose; and __fish_seen_subcommand_from help" -f -a "run" -d 'Harden, then `docker compose run` with ARGS'
complete -c harden -n "__fish_harden_using_subcommand compose; and __fish_seen_subcommand_from help" -f -a "create" -d 'Harden, then `docker compose create` with ARGS'
complete -c harden -n "__fish_harden_using_subcommand compose; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c harden -n "__fish_harden_using_subcommand stack; and not __fish_seen_subcommand_from deploy help" -l color -d 'When to use colours (NO_COLOR is honoured with `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c harden -n "__fish_harden_using_subcommand stack; and not __fish_seen_subcommand_from deploy help" -s h -l help -d 'Print help'
complete -c harden -n "__fish_harden_using_subcommand stack; and not __fish_seen_subcommand_from deploy help" -f -a "deploy" -d 'Harden a Compose project for Swarm, then `docker stack deploy` it'
complete -c harden -n "__fish_harden_using_subcommand stack; and not __fish_seen_subcommand_from deploy help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c harden -n "__fish_harden_using_subcommand stack; and __fish_seen_subcommand_from deploy" -s c -l compose-file -d 'Compose file (repeatable)' -r -F
complete -c harden -n "__fish_harden_using_subcommand stack; and __fish_seen_subcommand_from deploy" -l preset -d 'Preset name or path (default: $HARDEN_PRESET, else .harden.yaml, else `default`)' -r
complete -c harden -n "__fish_harden_using_subcommand stack; and __fish_seen_subcommand_from deploy" -l allow -d 'Waive a rule for this invocation (repeatable)' -r
complete -c harden -n "__fish_harden_using_subcommand stack; and __fish_seen_subcommand_from deploy" -l resolve-image -d 'Passed on: query the registry to resolve image digests (always, changed, never)' -r
complete -c harden -n "__fish_harden_using_subcommand stack; and __fish_seen_subcommand_from deploy" -s d -l detach -d 'Passed on: exit immediately instead of waiting for the services to converge' -r
complete -c harden -n "__fish_harden_using_subcommand stack; and __fish_seen_subcommand_from deploy" -l color -d 'When to use colours (NO_COLOR is honoured with `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c harden -n "__fish_harden_using_subcommand stack; and __fish_seen_subcommand_from deploy" -l prune -d 'Passed on: prune services that are no longer referenced'
complete -c harden -n "__fish_harden_using_subcommand stack; and __fish_seen_subcommand_from deploy" -l with-registry-auth -d 'Passed on: send registry authentication details to Swarm agents'
complete -c harden -n "__fish_harden_using_subcommand stack; and __fish_seen_subcommand_from deploy" -s q -l quiet -d 'Passed on: suppress progress output'
complete -c harden -n "__fish_harden_using_subcommand stack; and __fish_seen_subcommand_from deploy" -l dry-run -d 'Print the hardened stack file instead of deploying it'
complete -c harden -n "__fish_harden_using_subcommand stack; and __fish_seen_subcommand_from deploy" -l trust-project -d 'Accept, for this command, a project .harden.yaml that weakens the policy'
complete -c harden -n "__fish_harden_using_subcommand stack; and __fish_seen_subcommand_from deploy" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c harden -n "__fish_harden_using_subcommand stack; and __fish_seen_subcommand_from help" -f -a "deploy" -d 'Harden a Compose project for Swarm, then `docker stack deploy` it'
complete -c harden -n "__fish_harden_using_subcommand stack; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c harden -n "__fish_harden_using_subcommand audit" -l format -d 'Output format' -r -f -a "text\t''
json\t''
sarif\t''
github\t''"
complete -c harden -n "__fish_harden_using_subcommand audit" -l fail-on -d 'Exit 1 when a finding at or above this severity is left' -r -f -a "error\t''
warning\t''
info\t''
never\t''"
complete -c harden -n "__fish_harden_using_subcommand audit" -l preset -d 'Preset name or path (default: $HARDEN_PRESET, else .harden.yaml, else `default`)' -r
complete -c harden -n "__fish_harden_using_subcommand audit" -l allow -d 'Waive a rule for this invocation (repeatable)' -r
complete -c harden -n "__fish_harden_using_subcommand audit" -l color -d 'When to use colours (NO_COLOR is honoured with `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c harden -n "__fish_harden_using_subcommand audit" -s a -l all -d 'Audit every container, stopped ones too'
complete -c harden -n "__fish_harden_using_subcommand audit" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c harden -n "__fish_harden_using_subcommand proxy" -l listen -d 'Where clients connect: unix:///PATH (socket mode 0660), tcp://127.0.0.1:PORT, or fd:// (the socket systemd passes)' -r
complete -c harden -n "__fish_harden_using_subcommand proxy" -l upstream -d 'The Docker daemon to forward to (default: found as the Docker CLI finds it: DOCKER_HOST, DOCKER_CONTEXT, the current context; TLS and ssh:// included)' -r
complete -c harden -n "__fish_harden_using_subcommand proxy" -l mode -d 'enforce: fix and refuse; warn: fix, never refuse (refusals become warnings); audit: forward unchanged, log what would change' -r -f -a "enforce\t'Fix what the preset fixes, refuse what it denies'
warn\t'Fix, never refuse: denials become warnings in the create response'
audit\t'Forward every request unchanged; only log what would change or be refused'"
complete -c harden -n "__fish_harden_using_subcommand proxy" -l preset -d 'Preset name or path (default: $HARDEN_PRESET, else `default`; the machine and user policies apply as for every command; no working directory\'s .harden.yaml is read)' -r
complete -c harden -n "__fish_harden_using_subcommand proxy" -l log -d 'Write the decision log (one JSON object a line) to FILE instead of stderr' -r -F
complete -c harden -n "__fish_harden_using_subcommand proxy" -l color -d 'When to use colours (NO_COLOR is honoured with `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c harden -n "__fish_harden_using_subcommand proxy" -l allow-remote -d 'Allow --listen on a TCP address that is not loopback. Whoever reaches it controls the Docker engine: there is no TLS and no authentication'
complete -c harden -n "__fish_harden_using_subcommand proxy" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c harden -n "__fish_harden_using_subcommand man" -l color -d 'When to use colours (NO_COLOR is honoured with `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c harden -n "__fish_harden_using_subcommand man" -s h -l help -d 'Print help'
complete -c harden -n "__fish_harden_using_subcommand trust" -l color -d 'When to use colours (NO_COLOR is honoured with `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c harden -n "__fish_harden_using_subcommand trust" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c harden -n "__fish_harden_using_subcommand presets; and not __fish_seen_subcommand_from list show schema help" -l color -d 'When to use colours (NO_COLOR is honoured with `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c harden -n "__fish_harden_using_subcommand presets; and not __fish_seen_subcommand_from list show schema help" -s h -l help -d 'Print help'
complete -c harden -n "__fish_harden_using_subcommand presets; and not __fish_seen_subcommand_from list show schema help" -f -a "list" -d 'List the built-in presets and the team file in effect'
complete -c harden -n "__fish_harden_using_subcommand presets; and not __fish_seen_subcommand_from list show schema help" -f -a "show" -d 'Print a preset with `extends` resolved (a built-in name, a path, or the preset in effect)'
complete -c harden -n "__fish_harden_using_subcommand presets; and not __fish_seen_subcommand_from list show schema help" -f -a "schema" -d 'Print a JSON Schema of the preset format (for editors: yaml-language-server)'
complete -c harden -n "__fish_harden_using_subcommand presets; and not __fish_seen_subcommand_from list show schema help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c harden -n "__fish_harden_using_subcommand presets; and __fish_seen_subcommand_from list" -l color -d 'When to use colours (NO_COLOR is honoured with `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c harden -n "__fish_harden_using_subcommand presets; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c harden -n "__fish_harden_using_subcommand presets; and __fish_seen_subcommand_from show" -l color -d 'When to use colours (NO_COLOR is honoured with `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c harden -n "__fish_harden_using_subcommand presets; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c harden -n "__fish_harden_using_subcommand presets; and __fish_seen_subcommand_from schema" -l color -d 'When to use colours (NO_COLOR is honoured with `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c harden -n "__fish_harden_using_subcommand presets; and __fish_seen_subcommand_from schema" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c harden -n "__fish_harden_using_subcommand presets; and __fish_seen_subcommand_from help" -f -a "list" -d 'List the built-in presets and the team file in effect'
complete -c harden -n "__fish_harden_using_subcommand presets; and __fish_seen_subcommand_from help" -f -a "show" -d 'Print a preset with `extends` resolved (a built-in name, a path, or the preset in effect)'
complete -c harden -n "__fish_harden_using_subcommand presets; and __fish_seen_subcommand_from help" -f -a "schema" -d 'Print a JSON Schema of the preset format (for editors: yaml-language-server)'
complete -c harden -n "__fish_harden_using_subcommand presets; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c harden -n "__fish_harden_using_subcommand run" -l add-host -d 'Add a custom host-to-IP mapping (host:ip)' -r
complete -c harden -n "__fish_harden_using_subcommand run" -s a -l attach -d 'Attach to STDIN, STDOUT or STDERR' -r -f -a "stdin\t''
stdout\t''
stderr\t''"
complete -c harden -n "__fish_harden_using_subcommand run" -l blkio-weight -d 'Block IO (relative weight), between 10 and 1000, or 0 to disable (default 0)' -r
complete -c harden -n "__fish_harden_using_subcommand run" -l blkio-weight-device -d 'Block IO weight (relative device weight)' -r
complete -c harden -n "__fish_harden_using_subcommand run" -l cap-add -d 'Add Linux capabilities' -r
complete -c harden -n "__fish_harden_using_subcommand run" -l cap-drop -d 'Drop Linux capabilities' -r
complete -c harden -n "__fish_harden_using_subcommand run" -l cgroup-parent -d 'Optional parent cgroup for the container' -r
complete -c harden -n "__fish_harden_using_subcommand run" -l cgroupns -d 'Cgroup namespace to use (host|private) \'host\':    Run the container in the Docker host\'s cgroup namespace \'private\': Run the container in its own private cgroup namespace \'\':        Use the cgroup namespace as configured by the            default-cgroupns-mode option on the daemon (default)' -r -f -a "host\t''
private\t''"
complete -c harden -n "__fish_harden_using_subcommand run" -l cidfile -d 'Write the container ID to the file' -r -F
complete -c harden -n "__fish_harden_using_subcommand run" -l cpu-period -d 'Limit CPU CFS (Completely Fair Scheduler) period' -r
complete -c harden -n "__fish_harden_using_subcommand run" -l cpu-quota -d 'Limit CPU CFS (Completely Fair Scheduler) quota' -r
complete -c harden -n "__fish_harden_using_subcommand run" -l cpu-rt-period -d 'Limit CPU real-time period in microseconds' -r
complete -c harden -n "__fish_harden_using_subcommand run" -l cpu-rt-runtime -d 'Limit CPU real-time runtime in microseconds' -r
complete -c harden -n "__fish_harden_using_subcommand run" -s c -l cpu-shares -d 'CPU shares (relative weight)' -r
complete -c harden -n "__fish_harden_using_subcommand run" -l cpus -d 'Number of CPUs' -r
complete -c harden -n "__fish_harden_using_subcommand run" -l cpuset-cpus -d 'CPUs in which to allow execution (0-3, 0,1)' -r
complete -c harden -n "__fish_harden_using_subcommand run" -l cpuset-mems -d 'MEMs in which to allow execution (0-3, 0,1)' -r
complete -c harden -n "__fish_harden_using_subcommand run" -l detach-keys -d 'Override the key sequence for detaching a container' -r
complete -c harden -n "__fish_harden_using_subcommand run" -l device -d 'Add a host device to the container' -r
complete -c harden -n "__fish_harden_using_subcommand run" -l device-cgroup-rule -d 'Add a rule to the cgroup allowed devices list' -r
complete -c harden -n "__fish_harden_using_subcommand run" -l device-read-bps -d 'Limit read rate (bytes per second) from a device' -r
complete -c harden -n "__fish_harden_using_subcommand run" -l device-read-iops -d 'Limit read rate (IO per second) from a device' -r
complete -c harden -n "__fish_harden_using_subcommand run" -l device-write-bps -d 'Limit write rate (bytes per second) to a device' -r
complete -c harden -n "__fish_harden_using_subcommand run" -l device-write-iops -d 'Limit write rate (IO per second) to a device' -r
complete -c harden -n "__fish_harden_using_subcommand run" -l dns -d 'Set custom DNS servers' -r
complete -c harden -n "__fish_harden_using_subcommand run" -l dns-option -d 'Set DNS options' -r
complete -c harden -n "__fish_harden_using_subcommand run" -l dns-search -d 'Set custom DNS search domains' -r
complete -c harden -n "__fish_harden_using_subcommand run" -l domainname -d 'Container NIS domain name' -r
complete -c harden -n "__fish_harden_using_subcommand run" -l entrypoint -d 'Overwrite the default ENTRYPOINT of the image' -r
complete -c harden -n "__fish_harden_using_subcommand run" -s e -l env -d 'Set environment variables' -r
complete -c harden -n "__fish_harden_using_subcommand run" -l env-file -d 'Read in a file of environment variables' -r -F
complete -c harden -n "__fish_harden_using_subcommand run" -l expose -d 'Expose a port or a range of ports' -r
complete -c harden -n "__fish_harden_using_subcommand run" -l gpus -d 'GPU devices to add to the container (\'all\' to pass all GPUs)' -r
complete -c harden -n "__fish_harden_using_subcommand run" -l group-add -d 'Add additional groups to join' -r
complete -c harden -n "__fish_harden_using_subcommand run" -l health-cmd -d 'Command to run to check health' -r
complete -c harden -n "__fish_harden_using_subcommand run" -l health-interval -d 'Time between running the check (ms|s|m|h) (default 0s)' -r
complete -c harden -n "__fish_harden_using_subcommand run" -l health-retries -d 'Consecutive failures needed to report unhealthy' -r
complete -c harden -n "__fish_harden_using_subcommand run" -l health-start-period -d 'Start period for the container to initialize before starting health-retries countdown (ms|s|m|h) (default 0s)' -r
complete -c harden -n "__fish_harden_using_subcommand run" -l health-timeout -d 'Maximum time to allow one check to run (ms|s|m|h) (default 0s)' -r
complete -c harden -n "__fish_harden_using_subcommand run" -s h -l hostname -d 'Container host name' -r
complete -c harden -n "__fish_harden_using_subcommand run" -l ip -d 'IPv4 address (e.g., 172.30.100.104)' -r
complete -c harden -n "__fish_harden_using_subcommand run" -l ip6 -d 'IPv6 address (e.g., 2001:db8::33)' -r
complete -c harden -n "__fish_harden_using_subcommand run" -l ipc -d 'IPC mode to use' -r -f -a "host\t''
private\t''
shareable\t''
none\t''"
complete -c harden -n "__fish_harden_using_subcommand run" -l isolation -d 'Container isolation technology' -r
complete -c harden -n "__fish_harden_using_subcommand run" -l kernel-memory -d 'Kernel memory limit' -r
complete -c harden -n "__fish_harden_using_subcommand run" -s l -l label -d 'Set meta data on a container' -r
complete -c harden -n "__fish_harden_using_subcommand run" -l label-file -d 'Read in a line delimited file of labels' -r -F
complete -c harden -n "__fish_harden_using_subcommand run" -l link -d 'Add link to another container' -r
complete -c harden -n "__fish_harden_using_subcommand run" -l link-local-ip -d 'Container IPv4/IPv6 link-local addresses' -r
complete -c harden -n "__fish_harden_using_subcommand run" -l log-driver -d 'Logging driver for the container' -r
complete -c harden -n "__fish_harden_using_subcommand run" -l log-opt -d 'Log driver options' -r
complete -c harden -n "__fish_harden_using_subcommand run" -l mac-address -d 'Container MAC address (e.g., 92:d0:c6:0a:29:33)' -r
complete -c harden -n "__fish_harden_using_subcommand run" -s m -l memory -d 'Memory limit' -r
complete -c harden -n "__fish_harden_using_subcommand run" -l memory-reservation -d 'Memory soft limit' -r
complete -c harden -n "__fish_harden_using_subcommand run" -l memory-swap -d 'Swap limit equal to memory plus swap: \'-1\' to enable unlimited swap' -r
complete -c harden -n "__fish_harden_using_subcommand run" -l memory-swappiness -d 'Tune container memory swappiness (0 to 100)' -r
complete -c harden -n "__fish_harden_using_subcommand run" -l mount -d 'Attach a filesystem mount to the container' -r
complete -c harden -n "__fish_harden_using_subcommand run" -l name -d 'Assign a name to the container' -r
complete -c harden -n "__fish_harden_using_subcommand run" -l network -d 'Connect a container to a network' -r -f -a "bridge\t''
host\t''
none\t''"
complete -c harden -n "__fish_harden_using_subcommand run" -l network-alias -d 'Add network-scoped alias for the container' -r
complete -c harden -n "__fish_harden_using_subcommand run" -l oom-score-adj -d 'Tune host\'s OOM preferences (-1000 to 1000)' -r
complete -c harden -n "__fish_harden_using_subcommand run" -l pid -d 'PID namespace to use' -r -f -a "host\t''
private\t''
shareable\t''
none\t''"
complete -c harden -n "__fish_harden_using_subcommand run" -l pids-limit -d 'Tune container pids limit (set -1 for unlimited)' -r
complete -c harden -n "__fish_harden_using_subcommand run" -l platform -d 'Set platform if server is multi-platform capable' -r
complete -c harden -n "__fish_harden_using_subcommand run" -s p -l publish -d 'Publish a container\'s port(s) to the host' -r
complete -c harden -n "__fish_harden_using_subcommand run" -l pull -d 'Pull image before running ("always", "missing", "never")' -r -f -a "always\t''
missing\t''
never\t''"
complete -c harden -n "__fish_harden_using_subcommand run" -l restart -d 'Restart policy to apply when a container exits' -r -f -a "no\t''
always\t''
unless-stopped\t''
on-failure\t''"
complete -c harden -n "__fish_harden_using_subcommand run" -l runtime -d 'Runtime to use for this container' -r
complete -c harden -n "__fish_harden_using_subcommand run" -l security-opt -d 'Security Options' -r
complete -c harden -n "__fish_harden_using_subcommand run" -l shm-size -d 'Size of /dev/shm' -r
complete -c harden -n "__fish_harden_using_subcommand run" -l stop-signal -d 'Signal to stop the container' -r
complete -c harden -n "__fish_harden_using_subcommand run" -l stop-timeout -d 'Timeout (in seconds) to stop a container' -r
complete -c harden -n "__fish_harden_using_subcommand run" -l storage-opt -d 'Storage driver options for the container' -r
complete -c harden -n "__fish_harden_using_subcommand run" -l sysctl -d 'Sysctl options' -r
complete -c harden -n "__fish_harden_using_subcommand run" -l tmpfs -d 'Mount a tmpfs directory' -r
complete -c harden -n "__fish_harden_using_subcommand run" -l ulimit -d 'Ulimit options' -r
complete -c harden -n "__fish_harden_using_subcommand run" -s u -l user -d 'Username or UID (format: <name|uid>[:<group|gid>])' -r
complete -c harden -n "__fish_harden_using_subcommand run" -l userns -d 'User namespace to use' -r -f -a "host\t''"
complete -c harden -n "__fish_harden_using_subcommand run" -l uts -d 'UTS namespace to use' -r -f -a "host\t''"
complete -c harden -n "__fish_harden_using_subcommand run" -s v -l volume -d 'Bind mount a volume' -r
complete -c harden -n "__fish_harden_using_subcommand run" -l volume-driver -d 'Optional volume driver for the container' -r
complete -c harden -n "__fish_harden_using_subcommand run" -l volumes-from -d 'Mount volumes from the specified container(s)' -r
complete -c harden -n "__fish_harden_using_subcommand run" -s w -l workdir -d 'Working directory inside the container' -r -f
complete -c harden -n "__fish_harden_using_subcommand run" -l allow -d 'Allow what a rule would refuse or change (rule id; repeatable)' -r
complete -c harden -n "__fish_harden_using_subcommand run" -l format -d 'Output format of --dry-run: the command line, or JSON with the create body (text|json)' -r -f -a "text\t''
json\t''"
complete -c harden -n "__fish_harden_using_subcommand run" -l preset -d 'Hardening preset: a built-in name or a preset file' -r -f -a "default\t''
strict\t''
baseline\t''"
complete -c harden -n "__fish_harden_using_subcommand run" -l watch -d 'With -d, watch the container this long and explain a failure (default 2s; 0: off)' -r
complete -c harden -n "__fish_harden_using_subcommand run" -l color -d 'When to use colours (NO_COLOR is honoured with `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c harden -n "__fish_harden_using_subcommand run" -s d -l detach -d 'Run container in background and print container ID'
complete -c harden -n "__fish_harden_using_subcommand run" -l disable-content-trust -d 'Skip image verification'
complete -c harden -n "__fish_harden_using_subcommand run" -l init -d 'Run an init inside the container that forwards signals and reaps processes'
complete -c harden -n "__fish_harden_using_subcommand run" -s i -l interactive -d 'Keep STDIN open even if not attached'
complete -c harden -n "__fish_harden_using_subcommand run" -l no-healthcheck -d 'Disable any container-specified HEALTHCHECK'
complete -c harden -n "__fish_harden_using_subcommand run" -l oom-kill-disable -d 'Disable OOM Killer'
complete -c harden -n "__fish_harden_using_subcommand run" -l privileged -d 'Give extended privileges to this container'
complete -c harden -n "__fish_harden_using_subcommand run" -s P -l publish-all -d 'Publish all exposed ports to random ports'
complete -c harden -n "__fish_harden_using_subcommand run" -s q -l quiet -d 'Suppress the pull output'
complete -c harden -n "__fish_harden_using_subcommand run" -l read-only -d 'Mount the container\'s root filesystem as read only'
complete -c harden -n "__fish_harden_using_subcommand run" -l rm -d 'Automatically remove the container and its associated anonymous volumes when it exits'
complete -c harden -n "__fish_harden_using_subcommand run" -l sig-proxy -d 'Proxy received signals to the process'
complete -c harden -n "__fish_harden_using_subcommand run" -s t -l tty -d 'Allocate a pseudo-TTY'
complete -c harden -n "__fish_harden_using_subcommand run" -l use-api-socket -d 'Bind mount Docker API socket and required auth'
complete -c harden -n "__fish_harden_using_subcommand run" -l dry-run -d 'Print the hardened command and create body; run nothing'
complete -c harden -n "__fish_harden_using_subcommand run" -l explain -d 'Explain every change harden makes'
complete -c harden -n "__fish_harden_using_subcommand run" -l no-harden -d 'Run exactly as docker would, without hardening'
complete -c harden -n "__fish_harden_using_subcommand run" -l review -d 'Ask about each change (accept, skip, explain, quit) before applying it'
complete -c harden -n "__fish_harden_using_subcommand run" -l trust-project -d 'Accept, for this command, a project .harden.yaml that weakens the policy'
complete -c harden -n "__fish_harden_using_subcommand run" -l help -d 'Print usage'
complete -c harden -n "__fish_harden_using_subcommand create" -l add-host -d 'Add a custom host-to-IP mapping (host:ip)' -r
complete -c harden -n "__fish_harden_using_subcommand create" -s a -l attach -d 'Attach to STDIN, STDOUT or STDERR' -r -f -a "stdin\t''
stdout\t''
stderr\t''"
complete -c harden -n "__fish_harden_using_subcommand create" -l blkio-weight -d 'Block IO (relative weight), between 10 and 1000, or 0 to disable (default 0)' -r
complete -c harden -n "__fish_harden_using_subcommand create" -l blkio-weight-device -d 'Block IO weight (relative device weight)' -r
complete -c harden -n "__fish_harden_using_subcommand create" -l cap-add -d 'Add Linux capabilities' -r
complete -c harden -n "__fish_harden_using_subcommand create" -l cap-drop -d 'Drop Linux capabilities' -r
complete -c harden -n "__fish_harden_using_subcommand create" -l cgroup-parent -d 'Optional parent cgroup for the container' -r
complete -c harden -n "__fish_harden_using_subcommand create" -l cgroupns -d 'Cgroup namespace to use (host|private) \'host\':    Run the container in the Docker host\'s cgroup namespace \'private\': Run the container in its own private cgroup namespace \'\':        Use the cgroup namespace as configured by the            default-cgroupns-mode option on the daemon (default)' -r -f -a "host\t''
private\t''"
complete -c harden -n "__fish_harden_using_subcommand create" -l cidfile -d 'Write the container ID to the file' -r -F
complete -c harden -n "__fish_harden_using_subcommand create" -l cpu-period -d 'Limit CPU CFS (Completely Fair Scheduler) period' -r
complete -c harden -n "__fish_harden_using_subcommand create" -l cpu-quota -d 'Limit CPU CFS (Completely Fair Scheduler) quota' -r
complete -c harden -n "__fish_harden_using_subcommand create" -l cpu-rt-period -d 'Limit CPU real-time period in microseconds' -r
complete -c harden -n "__fish_harden_using_subcommand create" -l cpu-rt-runtime -d 'Limit CPU real-time runtime in microseconds' -r
complete -c harden -n "__fish_harden_using_subcommand create" -s c -l cpu-shares -d 'CPU shares (relative weight)' -r
complete -c harden -n "__fish_harden_using_subcommand create" -l cpus -d 'Number of CPUs' -r
complete -c harden -n "__fish_harden_using_subcommand create" -l cpuset-cpus -d 'CPUs in which to allow execution (0-3, 0,1)' -r
complete -c harden -n "__fish_harden_using_subcommand create" -l cpuset-mems -d 'MEMs in which to allow execution (0-3, 0,1)' -r
complete -c harden -n "__fish_harden_using_subcommand create" -l detach-keys -d 'Override the key sequence for detaching a container' -r
complete -c harden -n "__fish_harden_using_subcommand create" -l device -d 'Add a host device to the container' -r
complete -c harden -n "__fish_harden_using_subcommand create" -l device-cgroup-rule -d 'Add a rule to the cgroup allowed devices list' -r
complete -c harden -n "__fish_harden_using_subcommand create" -l device-read-bps -d 'Limit read rate (bytes per second) from a device' -r
complete -c harden -n "__fish_harden_using_subcommand create" -l device-read-iops -d 'Limit read rate (IO per second) from a device' -r
complete -c harden -n "__fish_harden_using_subcommand create" -l device-write-bps -d 'Limit write rate (bytes per second) to a device' -r
complete -c harden -n "__fish_harden_using_subcommand create" -l device-write-iops -d 'Limit write rate (IO per second) to a device' -r
complete -c harden -n "__fish_harden_using_subcommand create" -l dns -d 'Set custom DNS servers' -r
complete -c harden -n "__fish_harden_using_subcommand create" -l dns-option -d 'Set DNS options' -r
complete -c harden -n "__fish_harden_using_subcommand create" -l dns-search -d 'Set custom DNS search domains' -r
complete -c harden -n "__fish_harden_using_subcommand create" -l domainname -d 'Container NIS domain name' -r
complete -c harden -n "__fish_harden_using_subcommand create" -l entrypoint -d 'Overwrite the default ENTRYPOINT of the image' -r
complete -c harden -n "__fish_harden_using_subcommand create" -s e -l env -d 'Set environment variables' -r
complete -c harden -n "__fish_harden_using_subcommand create" -l env-file -d 'Read in a file of environment variables' -r -F
complete -c harden -n "__fish_harden_using_subcommand create" -l expose -d 'Expose a port or a range of ports' -r
complete -c harden -n "__fish_harden_using_subcommand create" -l gpus -d 'GPU devices to add to the container (\'all\' to pass all GPUs)' -r
complete -c harden -n "__fish_harden_using_subcommand create" -l group-add -d 'Add additional groups to join' -r
complete -c harden -n "__fish_harden_using_subcommand create" -l health-cmd -d 'Command to run to check health' -r
complete -c harden -n "__fish_harden_using_subcommand create" -l health-interval -d 'Time between running the check (ms|s|m|h) (default 0s)' -r
complete -c harden -n "__fish_harden_using_subcommand create" -l health-retries -d 'Consecutive failures needed to report unhealthy' -r
complete -c harden -n "__fish_harden_using_subcommand create" -l health-start-period -d 'Start period for the container to initialize before starting health-retries countdown (ms|s|m|h) (default 0s)' -r
complete -c harden -n "__fish_harden_using_subcommand create" -l health-timeout -d 'Maximum time to allow one check to run (ms|s|m|h) (default 0s)' -r
complete -c harden -n "__fish_harden_using_subcommand create" -s h -l hostname -d 'Container host name' -r
complete -c harden -n "__fish_harden_using_subcommand create" -l ip -d 'IPv4 address (e.g., 172.30.100.104)' -r
complete -c harden -n "__fish_harden_using_subcommand create" -l ip6 -d 'IPv6 address (e.g., 2001:db8::33)' -r
complete -c harden -n "__fish_harden_using_subcommand create" -l ipc -d 'IPC mode to use' -r -f -a "host\t''
private\t''
shareable\t''
none\t''"
complete -c harden -n "__fish_harden_using_subcommand create" -l isolation -d 'Container isolation technology' -r
complete -c harden -n "__fish_harden_using_subcommand create" -l kernel-memory -d 'Kernel memory limit' -r
complete -c harden -n "__fish_harden_using_subcommand create" -s l -l label -d 'Set meta data on a container' -r
complete -c harden -n "__fish_harden_using_subcommand create" -l label-file -d 'Read in a line delimited file of labels' -r -F
complete -c harden -n "__fish_harden_using_subcommand create" -l link -d 'Add link to another container' -r
complete -c harden -n "__fish_harden_using_subcommand create" -l link-local-ip -d 'Container IPv4/IPv6 link-local addresses' -r
complete -c harden -n "__fish_harden_using_subcommand create" -l log-driver -d 'Logging driver for the container' -r
complete -c harden -n "__fish_harden_using_subcommand create" -l log-opt -d 'Log driver options' -r
complete -c harden -n "__fish_harden_using_subcommand create" -l mac-address -d 'Container MAC address (e.g., 92:d0:c6:0a:29:33)' -r
complete -c harden -n "__fish_harden_using_subcommand create" -s m -l memory -d 'Memory limit' -r
complete -c harden -n "__fish_harden_using_subcommand create" -l memory-reservation -d 'Memory soft limit' -r
complete -c harden -n "__fish_harden_using_subcommand create" -l memory-swap -d 'Swap limit equal to memory plus swap: \'-1\' to enable unlimited swap' -r
complete -c harden -n "__fish_harden_using_subcommand create" -l memory-swappiness -d 'Tune container memory swappiness (0 to 100)' -r
complete -c harden -n "__fish_harden_using_subcommand create" -l mount -d 'Attach a filesystem mount to the container' -r
complete -c harden -n "__fish_harden_using_subcommand create" -l name -d 'Assign a name to the container' -r
complete -c harden -n "__fish_harden_using_subcommand create" -l network -d 'Connect a container to a network' -r -f -a "bridge\t''
host\t''
none\t''"
complete -c harden -n "__fish_harden_using_subcommand create" -l network-alias -d 'Add network-scoped alias for the container' -r
complete -c harden -n "__fish_harden_using_subcommand create" -l oom-score-adj -d 'Tune host\'s OOM preferences (-1000 to 1000)' -r
complete -c harden -n "__fish_harden_using_subcommand create" -l pid -d 'PID namespace to use' -r -f -a "host\t''
private\t''
shareable\t''
none\t''"
complete -c harden -n "__fish_harden_using_subcommand create" -l pids-limit -d 'Tune container pids limit (set -1 for unlimited)' -r
complete -c harden -n "__fish_harden_using_subcommand create" -l platform -d 'Set platform if server is multi-platform capable' -r
complete -c harden -n "__fish_harden_using_subcommand create" -s p -l publish -d 'Publish a container\'s port(s) to the host' -r
complete -c harden -n "__fish_harden_using_subcommand create" -l pull -d 'Pull image before running ("always", "missing", "never")' -r -f -a "always\t''
missing\t''
never\t''"
complete -c harden -n "__fish_harden_using_subcommand create" -l restart -d 'Restart policy to apply when a container exits' -r -f -a "no\t''
always\t''
unless-stopped\t''
on-failure\t''"
complete -c harden -n "__fish_harden_using_subcommand create" -l runtime -d 'Runtime to use for this container' -r
complete -c harden -n "__fish_harden_using_subcommand create" -l security-opt -d 'Security Options' -r
complete -c harden -n "__fish_harden_using_subcommand create" -l shm-size -d 'Size of /dev/shm' -r
complete -c harden -n "__fish_harden_using_subcommand create" -l stop-signal -d 'Signal to stop the container' -r
complete -c harden -n "__fish_harden_using_subcommand create" -l stop-timeout -d 'Timeout (in seconds) to stop a container' -r
complete -c harden -n "__fish_harden_using_subcommand create" -l storage-opt -d 'Storage driver options for the container' -r
complete -c harden -n "__fish_harden_using_subcommand create" -l sysctl -d 'Sysctl options' -r
complete -c harden -n "__fish_harden_using_subcommand create" -l tmpfs -d 'Mount a tmpfs directory' -r
complete -c harden -n "__fish_harden_using_subcommand create" -l ulimit -d 'Ulimit options' -r
complete -c harden -n "__fish_harden_using_subcommand create" -s u -l user -d 'Username or UID (format: <name|uid>[:<group|gid>])' -r
complete -c harden -n "__fish_harden_using_subcommand create" -l userns -d 'User namespace to use' -r -f -a "host\t''"
complete -c harden -n "__fish_harden_using_subcommand create" -l uts -d 'UTS namespace to use' -r -f -a "host\t''"
complete -c harden -n "__fish_harden_using_subcommand create" -s v -l volume -d 'Bind mount a volume' -r
complete -c harden -n "__fish_harden_using_subcommand create" -l volume-driver -d 'Optional volume driver for the container' -r
complete -c harden -n "__fish_harden_using_subcommand create" -l volumes-from -d 'Mount volumes from the specified container(s)' -r
complete -c harden -n "__fish_harden_using_subcommand create" -s w -l workdir -d 'Working directory inside the container' -r -f
complete -c harden -n "__fish_harden_using_subcommand create" -l allow -d 'Allow what a rule would refuse or change (rule id; repeatable)' -r
complete -c harden -n "__fish_harden_using_subcommand create" -l format -d 'Output format of --dry-run: the command line, or JSON with the create body (text|json)' -r -f -a "text\t''
json\t''"
complete -c harden -n "__fish_harden_using_subcommand create" -l preset -d 'Hardening preset: a built-in name or a preset file' -r -f -a "default\t''
strict\t''
baseline\t''"
complete -c harden -n "__fish_harden_using_subcommand create" -l watch -d 'With -d, watch the container this long and explain a failure (default 2s; 0: off)' -r
complete -c harden -n "__fish_harden_using_subcommand create" -l color -d 'When to use colours (NO_COLOR is honoured with `auto`)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c harden -n "__fish_harden_using_subcommand create" -s d -l detach -d 'Run container in background and print container ID'
complete -c harden -n "__fish_harden_using_subcommand create" -l disable-content-trust -d 'Skip image verification'
complete -c harden -n "__fish_harden_using_subcommand create" -l init -d 'Run an init inside the container that forwards signals and reaps processes'
complete -c harden -n "__fish_harden_using_subcommand create" -s i -l interactive -d 'Keep STDIN open even if not attached'
complete -c harden -n "__fish_harden_using_subcommand create" -l no-healthcheck -d 'Disable any container-specified HEALTHCHECK'
complete -c harden -n "__fish_harden_using_subcommand create" -l oom-kill-disable -d 'Disable OOM Killer'
complete -c harden -n "__fish_harden_using_subcommand create" -l privileged -d 'Give extended privileges to this container'
complete -c harden -n "__fish_harden_using_subcommand create" -s P -l publish-all -d 'Publish all exposed ports to random ports'
complete -c harden -n "__fish_harden_using_subcommand create" -s q -l quiet -d 'Suppress the pull output'
complete -c harden -n "__fish_harden_using_subcommand create" -l read-only -d 'Mount the container\'s root filesystem as read only'
complete -c harden -n "__fish_harden_using_subcommand create" -l rm -d 'Automatically remove the container and its associated anonymous volumes when it exits'
complete -c harden -n "__fish_harden_using_subcommand create" -l sig-proxy -d 'Proxy received signals to the process'
complete -c harden -n "__fish_harden_using_subcommand create" -s t -l tty -d 'Allocate a pseudo-TTY'
complete -c harden -n "__fish_harden_using_subcommand create" -l use-api-socket -d 'Bind mount Docker API socket and required auth'
complete -c harden -n "__fish_harden_using_subcommand create" -l dry-run -d 'Print the hardened command and create body; run nothing'
complete -c harden -n "__fish_harden_using_subcommand create" -l explain -d 'Explain every change harden makes'
complete -c harden -n "__fish_harden_using_subcommand create" -l no-harden -d 'Run exactly as docker would, without hardening'
complete -c harden -n "__fish_harden_using_subcommand create" -l review -d 'Ask about each change (accept, skip, explain, quit) before applying it'
complete -c harden -n "__fish_harden_using_subcommand create" -l trust-project -d 'Accept, for this command, a project .harden.yaml that weakens the policy'
complete -c harden -n "__fish_harden_using_subcommand create" -l help -d 'Print usage'
complete -c harden -n "__fish_harden_using_subcommand help; and not __fish_seen_subcommand_from learn rules explain completions compose stack audit proxy man trust presets run create help" -f -a "learn" -d 'Find what an image needs to work hardened, by trial runs, and write its profile'
complete -c harden -n "__fish_harden_using_subcommand help; and not __fish_seen_subcommand_from learn rules explain completions compose stack audit proxy man trust presets run create help" -f -a "rules" -d 'List the rules'
complete -c harden -n "__fish_harden_using_subcommand help; and not __fish_seen_subcommand_from learn rules explain completions compose stack audit proxy man trust presets run create help" -f -a "explain" -d 'Explain a rule: why it matters, an example, its fix, how to waive it, references'
complete -c harden -n "__fish_harden_using_subcommand help; and not __fish_seen_subcommand_from learn rules explain completions compose stack audit proxy man trust presets run create help" -f -a "completions" -d 'Print a shell completion script (bash, zsh, fish, powershell, elvish)'
complete -c harden -n "__fish_harden_using_subcommand help; and not __fish_seen_subcommand_from learn rules explain completions compose stack audit proxy man trust presets run create help" -f -a "compose" -d 'Lint, fix, print or bring up a Docker Compose project with the same rules'
complete -c harden -n "__fish_harden_using_subcommand help; and not __fish_seen_subcommand_from learn rules explain completions compose stack audit proxy man trust presets run create help" -f -a "stack" -d 'Deploy a Compose project to Swarm, hardened: `harden stack deploy -c FILE STACK`'
complete -c harden -n "__fish_harden_using_subcommand help; and not __fish_seen_subcommand_from learn rules explain completions compose stack audit proxy man trust presets run create help" -f -a "audit" -d 'Check running containers (or all with --all) against the rules and the preset'
complete -c harden -n "__fish_harden_using_subcommand help; and not __fish_seen_subcommand_from learn rules explain completions compose stack audit proxy man trust presets run create help" -f -a "proxy" -d 'Serve the Engine API to every client (Compose, CI runners, SDKs) with the doors to privilege judged: `harden proxy --listen unix:///run/harden/docker.sock`'
complete -c harden -n "__fish_harden_using_subcommand help; and not __fish_seen_subcommand_from learn rules explain completions compose stack audit proxy man trust presets run create help" -f -a "man" -d 'Print the man page (roff): `harden man | man -l -`'
complete -c harden -n "__fish_harden_using_subcommand help; and not __fish_seen_subcommand_from learn rules explain completions compose stack audit proxy man trust presets run create help" -f -a "trust" -d 'Trust a project\'s .harden.yaml as it is now (needed when it weakens the policy)'
complete -c harden -n "__fish_harden_using_subcommand help; and not __fish_seen_subcommand_from learn rules explain completions compose stack audit proxy man trust presets run create help" -f -a "presets" -d 'List the presets, or show one resolved'
complete -c harden -n "__fish_harden_using_subcommand help; and not __fish_seen_subcommand_from learn rules explain completions compose stack audit proxy man trust presets run create help" -f -a "run" -d 'Harden, create, start and attach a container: accepts every `docker run` flag'
complete -c harden -n "__fish_harden_using_subcommand help; and not __fish_seen_subcommand_from learn rules explain completions compose stack audit proxy man trust presets run create help" -f -a "create" -d 'Harden and create a container without starting it (drop-in for `docker create`)'
complete -c harden -n "__fish_harden_using_subcommand help; and not __fish_seen_subcommand_from learn rules explain completions compose stack audit proxy man trust presets run create help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c harden -n "__fish_harden_using_subcommand help; and __fish_seen_subcommand_from compose" -f -a "lint" -d 'Report what the rules find, per service, with file:line:column'
complete -c harden -n "__fish_harden_using_subcommand help; and __fish_seen_subcommand_from compose" -f -a "fix" -d 'Rewrite the files with every fixable rule, keeping comments and style'
complete -c harden -n "__fish_harden_using_subcommand help; and __fish_seen_subcommand_from compose" -f -a "config" -d 'Print the hardened project: `docker compose config ARGS` on it (Compose v2), else harden\'s own rendering'
complete -c harden -n "__fish_harden_using_subcommand help; and __fish_seen_subcommand_from compose" -f -a "up" -d 'Harden, then `docker compose up` with ARGS (refused when a deny rule fires)'
complete -c harden -n "__fish_harden_using_subcommand help; and __fish_seen_subcommand_from compose" -f -a "run" -d 'Harden, then `docker compose run` with ARGS'
complete -c harden -n "__fish_harden_using_subcommand help; and __fish_seen_subcommand_from compose" -f -a "create" -d 'Harden, then `docker compose create` with ARGS'
complete -c harden -n "__fish_harden_using_subcommand help; and __fish_seen_subcommand_from stack" -f -a "deploy" -d 'Harden a Compose project for Swarm, then `docker stack deploy` it'
complete -c harden -n "__fish_harden_using_subcommand help; and __fish_seen_subcommand_from presets" -f -a "list" -d 'List the built-in presets and the team file in effect'
complete -c harden -n "__fish_harden_using_subcommand help; and __fish_seen_subcommand_from presets" -f -a "show" -d 'Print a preset with `extends` resolved (a built-in name, a path, or the preset in effect)'
complete -c harden -n "__fish_harden_using_subcommand help; and __fish_seen_subcommand_from presets" -f -a "schema" -d 'Print a JSON Schema of the preset format (for editors: yaml-language-server)'
