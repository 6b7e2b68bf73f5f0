
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'harden' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'harden'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'harden' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured with `auto`)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Do not print harden''s own notices (summaries, assumptions); errors are still printed. Goes before the subcommand: after `run`, `-q` is docker''s `--quiet`')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Do not print harden''s own notices (summaries, assumptions); errors are still printed. Goes before the subcommand: after `run`, `-q` is docker''s `--quiet`')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('learn', 'learn', [CompletionResultType]::ParameterValue, 'Find what an image needs to work hardened, by trial runs, and write its profile')
            [CompletionResult]::new('rules', 'rules', [CompletionResultType]::ParameterValue, 'List the rules')
            [CompletionResult]::new('explain', 'explain', [CompletionResultType]::ParameterValue, 'Explain a rule: why it matters, an example, its fix, how to waive it, references')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script (bash, zsh, fish, powershell, elvish)')
            [CompletionResult]::new('compose', 'compose', [CompletionResultType]::ParameterValue, 'Lint, fix, print or bring up a Docker Compose project with the same rules')
            [CompletionResult]::new('stack', 'stack', [CompletionResultType]::ParameterValue, 'Deploy a Compose project to Swarm, hardened: `harden stack deploy -c FILE STACK`')
            [CompletionResult]::new('audit', 'audit', [CompletionResultType]::ParameterValue, 'Check running containers (or all with --all) against the rules and the preset')
            [CompletionResult]::new('proxy', 'proxy', [CompletionResultType]::ParameterValue, 'Serve the Engine API to every client (Compose, CI runners, SDKs) with the doors to privilege judged: `harden proxy --listen unix:///run/harden/docker.sock`')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print the man page (roff): `harden man | man -l -`')
            [CompletionResult]::new('trust', 'trust', [CompletionResultType]::ParameterValue, 'Trust a project''s .harden.yaml as it is now (needed when it weakens the policy)')
            [CompletionResult]::new('presets', 'presets', [CompletionResultType]::ParameterValue, 'List the presets, or show one resolved')
            [CompletionResult]::new('run', 'run', [CompletionResultType]::ParameterValue, 'Harden, create, start and attach a container: accepts every `docker run` flag')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Harden and create a container without starting it (drop-in for `docker create`)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'harden;learn' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured with `auto`)')
            break
        }
        'harden;rules' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured with `auto`)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'harden;explain' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured with `auto`)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'harden;completions' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured with `auto`)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'harden;compose' {
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Compose file (repeatable; default: as `docker compose` finds them, or $COMPOSE_FILE)')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Compose file (repeatable; default: as `docker compose` finds them, or $COMPOSE_FILE)')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Project name (default: $COMPOSE_PROJECT_NAME, else `name:`, else the directory''s name)')
            [CompletionResult]::new('--project-name', '--project-name', [CompletionResultType]::ParameterName, 'Project name (default: $COMPOSE_PROJECT_NAME, else `name:`, else the directory''s name)')
            [CompletionResult]::new('--project-directory', '--project-directory', [CompletionResultType]::ParameterName, 'The project directory (default: the first file''s directory)')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Variables file(s) instead of the project''s `.env` (repeatable)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to enable for `docker compose` (repeatable; harden lints every service anyway)')
            [CompletionResult]::new('--ansi', '--ansi', [CompletionResultType]::ParameterName, 'Passed on to `docker compose`')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Passed on to `docker compose`')
            [CompletionResult]::new('--parallel', '--parallel', [CompletionResultType]::ParameterName, 'Passed on to `docker compose`')
            [CompletionResult]::new('--preset', '--preset', [CompletionResultType]::ParameterName, 'Preset name or path (default: $HARDEN_PRESET, else .harden.yaml, else `default`)')
            [CompletionResult]::new('--allow', '--allow', [CompletionResultType]::ParameterName, 'Waive a rule for this invocation (repeatable)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured with `auto`)')
            [CompletionResult]::new('--compatibility', '--compatibility', [CompletionResultType]::ParameterName, 'Passed on to `docker compose`')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Passed on to `docker compose`')
            [CompletionResult]::new('--trust-project', '--trust-project', [CompletionResultType]::ParameterName, 'Accept, for this command, a project .harden.yaml that weakens the policy (also HARDEN_TRUST_PROJECT=1); `harden trust` accepts it until it changes')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('lint', 'lint', [CompletionResultType]::ParameterValue, 'Report what the rules find, per service, with file:line:column')
            [CompletionResult]::new('fix', 'fix', [CompletionResultType]::ParameterValue, 'Rewrite the files with every fixable rule, keeping comments and style')
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'Print the hardened project: `docker compose config ARGS` on it (Compose v2), else harden''s own rendering')
            [CompletionResult]::new('up', 'up', [CompletionResultType]::ParameterValue, 'Harden, then `docker compose up` with ARGS (refused when a deny rule fires)')
            [CompletionResult]::new('run', 'run', [CompletionResultType]::ParameterValue, 'Harden, then `docker compose run` with ARGS')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Harden, then `docker compose create` with ARGS')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'harden;compose;lint' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'format')
            [CompletionResult]::new('--fail-on', '--fail-on', [CompletionResultType]::ParameterName, 'Exit 1 when a finding at or above this severity is left')
            [CompletionResult]::new('--target', '--target', [CompletionResultType]::ParameterName, 'The engine the project is for: `swarm` judges what `docker stack deploy` carries')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Compose file (repeatable; default: as `docker compose` finds them, or $COMPOSE_FILE)')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Compose file (repeatable; default: as `docker compose` finds them, or $COMPOSE_FILE)')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Project name (default: $COMPOSE_PROJECT_NAME, else `name:`, else the directory''s name)')
            [CompletionResult]::new('--project-name', '--project-name', [CompletionResultType]::ParameterName, 'Project name (default: $COMPOSE_PROJECT_NAME, else `name:`, else the directory''s name)')
            [CompletionResult]::new('--project-directory', '--project-directory', [CompletionResultType]::ParameterName, 'The project directory (default: the first file''s directory)')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Variables file(s) instead of the project''s `.env` (repeatable)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to enable for `docker compose` (repeatable; harden lints every service anyway)')
            [CompletionResult]::new('--ansi', '--ansi', [CompletionResultType]::ParameterName, 'Passed on to `docker compose`')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Passed on to `docker compose`')
            [CompletionResult]::new('--parallel', '--parallel', [CompletionResultType]::ParameterName, 'Passed on to `docker compose`')
            [CompletionResult]::new('--preset', '--preset', [CompletionResultType]::ParameterName, 'Preset name or path (default: $HARDEN_PRESET, else .harden.yaml, else `default`)')
            [CompletionResult]::new('--allow', '--allow', [CompletionResultType]::ParameterName, 'Waive a rule for this invocation (repeatable)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured with `auto`)')
            [CompletionResult]::new('--compatibility', '--compatibility', [CompletionResultType]::ParameterName, 'Passed on to `docker compose`')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Passed on to `docker compose`')
            [CompletionResult]::new('--trust-project', '--trust-project', [CompletionResultType]::ParameterName, 'Accept, for this command, a project .harden.yaml that weakens the policy (also HARDEN_TRUST_PROJECT=1); `harden trust` accepts it until it changes')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'harden;compose;fix' {
            [CompletionResult]::new('--target', '--target', [CompletionResultType]::ParameterName, 'The engine the project is for: `swarm` writes what `docker stack deploy` carries')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Compose file (repeatable; default: as `docker compose` finds them, or $COMPOSE_FILE)')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Compose file (repeatable; default: as `docker compose` finds them, or $COMPOSE_FILE)')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Project name (default: $COMPOSE_PROJECT_NAME, else `name:`, else the directory''s name)')
            [CompletionResult]::new('--project-name', '--project-name', [CompletionResultType]::ParameterName, 'Project name (default: $COMPOSE_PROJECT_NAME, else `name:`, else the directory''s name)')
            [CompletionResult]::new('--project-directory', '--project-directory', [CompletionResultType]::ParameterName, 'The project directory (default: the first file''s directory)')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Variables file(s) instead of the project''s `.env` (repeatable)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to enable for `docker compose` (repeatable; harden lints every service anyway)')
            [CompletionResult]::new('--ansi', '--ansi', [CompletionResultType]::ParameterName, 'Passed on to `docker compose`')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Passed on to `docker compose`')
            [CompletionResult]::new('--parallel', '--parallel', [CompletionResultType]::ParameterName, 'Passed on to `docker compose`')
            [CompletionResult]::new('--preset', '--preset', [CompletionResultType]::ParameterName, 'Preset name or path (default: $HARDEN_PRESET, else .harden.yaml, else `default`)')
            [CompletionResult]::new('--allow', '--allow', [CompletionResultType]::ParameterName, 'Waive a rule for this invocation (repeatable)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured with `auto`)')
            [CompletionResult]::new('--diff', '--diff', [CompletionResultType]::ParameterName, 'Print a unified diff; write nothing')
            [CompletionResult]::new('--check', '--check', [CompletionResultType]::ParameterName, 'Exit 1 when something would change; write nothing')
            [CompletionResult]::new('--stdout', '--stdout', [CompletionResultType]::ParameterName, 'Print the fixed file(s); write nothing')
            [CompletionResult]::new('--review', '--review', [CompletionResultType]::ParameterName, 'Ask before each change (needs a terminal)')
            [CompletionResult]::new('--compatibility', '--compatibility', [CompletionResultType]::ParameterName, 'Passed on to `docker compose`')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Passed on to `docker compose`')
            [CompletionResult]::new('--trust-project', '--trust-project', [CompletionResultType]::ParameterName, 'Accept, for this command, a project .harden.yaml that weakens the policy (also HARDEN_TRUST_PROJECT=1); `harden trust` accepts it until it changes')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'harden;compose;config' {
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Compose file (repeatable; default: as `docker compose` finds them, or $COMPOSE_FILE)')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Compose file (repeatable; default: as `docker compose` finds them, or $COMPOSE_FILE)')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Project name (default: $COMPOSE_PROJECT_NAME, else `name:`, else the directory''s name)')
            [CompletionResult]::new('--project-name', '--project-name', [CompletionResultType]::ParameterName, 'Project name (default: $COMPOSE_PROJECT_NAME, else `name:`, else the directory''s name)')
            [CompletionResult]::new('--project-directory', '--project-directory', [CompletionResultType]::ParameterName, 'The project directory (default: the first file''s directory)')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Variables file(s) instead of the project''s `.env` (repeatable)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to enable for `docker compose` (repeatable; harden lints every service anyway)')
            [CompletionResult]::new('--ansi', '--ansi', [CompletionResultType]::ParameterName, 'Passed on to `docker compose`')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Passed on to `docker compose`')
            [CompletionResult]::new('--parallel', '--parallel', [CompletionResultType]::ParameterName, 'Passed on to `docker compose`')
            [CompletionResult]::new('--preset', '--preset', [CompletionResultType]::ParameterName, 'Preset name or path (default: $HARDEN_PRESET, else .harden.yaml, else `default`)')
            [CompletionResult]::new('--allow', '--allow', [CompletionResultType]::ParameterName, 'Waive a rule for this invocation (repeatable)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured with `auto`)')
            [CompletionResult]::new('--compatibility', '--compatibility', [CompletionResultType]::ParameterName, 'Passed on to `docker compose`')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Passed on to `docker compose`')
            [CompletionResult]::new('--trust-project', '--trust-project', [CompletionResultType]::ParameterName, 'Accept, for this command, a project .harden.yaml that weakens the policy (also HARDEN_TRUST_PROJECT=1); `harden trust` accepts it until it changes')
            break
        }
        'harden;compose;up' {
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Compose file (repeatable; default: as `docker compose` finds them, or $COMPOSE_FILE)')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Compose file (repeatable; default: as `docker compose` finds them, or $COMPOSE_FILE)')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Project name (default: $COMPOSE_PROJECT_NAME, else `name:`, else the directory''s name)')
            [CompletionResult]::new('--project-name', '--project-name', [CompletionResultType]::ParameterName, 'Project name (default: $COMPOSE_PROJECT_NAME, else `name:`, else the directory''s name)')
            [CompletionResult]::new('--project-directory', '--project-directory', [CompletionResultType]::ParameterName, 'The project directory (default: the first file''s directory)')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Variables file(s) instead of the project''s `.env` (repeatable)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to enable for `docker compose` (repeatable; harden lints every service anyway)')
            [CompletionResult]::new('--ansi', '--ansi', [CompletionResultType]::ParameterName, 'Passed on to `docker compose`')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Passed on to `docker compose`')
            [CompletionResult]::new('--parallel', '--parallel', [CompletionResultType]::ParameterName, 'Passed on to `docker compose`')
            [CompletionResult]::new('--preset', '--preset', [CompletionResultType]::ParameterName, 'Preset name or path (default: $HARDEN_PRESET, else .harden.yaml, else `default`)')
            [CompletionResult]::new('--allow', '--allow', [CompletionResultType]::ParameterName, 'Waive a rule for this invocation (repeatable)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured with `auto`)')
            [CompletionResult]::new('--compatibility', '--compatibility', [CompletionResultType]::ParameterName, 'Passed on to `docker compose`')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Passed on to `docker compose`')
            [CompletionResult]::new('--trust-project', '--trust-project', [CompletionResultType]::ParameterName, 'Accept, for this command, a project .harden.yaml that weakens the policy (also HARDEN_TRUST_PROJECT=1); `harden trust` accepts it until it changes')
            break
        }
        'harden;compose;run' {
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Compose file (repeatable; default: as `docker compose` finds them, or $COMPOSE_FILE)')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Compose file (repeatable; default: as `docker compose` finds them, or $COMPOSE_FILE)')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Project name (default: $COMPOSE_PROJECT_NAME, else `name:`, else the directory''s name)')
            [CompletionResult]::new('--project-name', '--project-name', [CompletionResultType]::ParameterName, 'Project name (default: $COMPOSE_PROJECT_NAME, else `name:`, else the directory''s name)')
            [CompletionResult]::new('--project-directory', '--project-directory', [CompletionResultType]::ParameterName, 'The project directory (default: the first file''s directory)')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Variables file(s) instead of the project''s `.env` (repeatable)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to enable for `docker compose` (repeatable; harden lints every service anyway)')
            [CompletionResult]::new('--ansi', '--ansi', [CompletionResultType]::ParameterName, 'Passed on to `docker compose`')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Passed on to `docker compose`')
            [CompletionResult]::new('--parallel', '--parallel', [CompletionResultType]::ParameterName, 'Passed on to `docker compose`')
            [CompletionResult]::new('--preset', '--preset', [CompletionResultType]::ParameterName, 'Preset name or path (default: $HARDEN_PRESET, else .harden.yaml, else `default`)')
            [CompletionResult]::new('--allow', '--allow', [CompletionResultType]::ParameterName, 'Waive a rule for this invocation (repeatable)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured with `auto`)')
            [CompletionResult]::new('--compatibility', '--compatibility', [CompletionResultType]::ParameterName, 'Passed on to `docker compose`')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Passed on to `docker compose`')
            [CompletionResult]::new('--trust-project', '--trust-project', [CompletionResultType]::ParameterName, 'Accept, for this command, a project .harden.yaml that weakens the policy (also HARDEN_TRUST_PROJECT=1); `harden trust` accepts it until it changes')
            break
        }
        'harden;compose;create' {
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Compose file (repeatable; default: as `docker compose` finds them, or $COMPOSE_FILE)')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Compose file (repeatable; default: as `docker compose` finds them, or $COMPOSE_FILE)')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Project name (default: $COMPOSE_PROJECT_NAME, else `name:`, else the directory''s name)')
            [CompletionResult]::new('--project-name', '--project-name', [CompletionResultType]::ParameterName, 'Project name (default: $COMPOSE_PROJECT_NAME, else `name:`, else the directory''s name)')
            [CompletionResult]::new('--project-directory', '--project-directory', [CompletionResultType]::ParameterName, 'The project directory (default: the first file''s directory)')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Variables file(s) instead of the project''s `.env` (repeatable)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile to enable for `docker compose` (repeatable; harden lints every service anyway)')
            [CompletionResult]::new('--ansi', '--ansi', [CompletionResultType]::ParameterName, 'Passed on to `docker compose`')
            [CompletionResult]::new('--progress', '--progress', [CompletionResultType]::ParameterName, 'Passed on to `docker compose`')
            [CompletionResult]::new('--parallel', '--parallel', [CompletionResultType]::ParameterName, 'Passed on to `docker compose`')
            [CompletionResult]::new('--preset', '--preset', [CompletionResultType]::ParameterName, 'Preset name or path (default: $HARDEN_PRESET, else .harden.yaml, else `default`)')
            [CompletionResult]::new('--allow', '--allow', [CompletionResultType]::ParameterName, 'Waive a rule for this invocation (repeatable)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured with `auto`)')
            [CompletionResult]::new('--compatibility', '--compatibility', [CompletionResultType]::ParameterName, 'Passed on to `docker compose`')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Passed on to `docker compose`')
            [CompletionResult]::new('--trust-project', '--trust-project', [CompletionResultType]::ParameterName, 'Accept, for this command, a project .harden.yaml that weakens the policy (also HARDEN_TRUST_PROJECT=1); `harden trust` accepts it until it changes')
            break
        }
        'harden;compose;help' {
            [CompletionResult]::new('lint', 'lint', [CompletionResultType]::ParameterValue, 'Report what the rules find, per service, with file:line:column')
            [CompletionResult]::new('fix', 'fix', [CompletionResultType]::ParameterValue, 'Rewrite the files with every fixable rule, keeping comments and style')
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'Print the hardened project: `docker compose config ARGS` on it (Compose v2), else harden''s own rendering')
            [CompletionResult]::new('up', 'up', [CompletionResultType]::ParameterValue, 'Harden, then `docker compose up` with ARGS (refused when a deny rule fires)')
            [CompletionResult]::new('run', 'run', [CompletionResultType]::ParameterValue, 'Harden, then `docker compose run` with ARGS')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Harden, then `docker compose create` with ARGS')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'harden;compose;help;lint' {
            break
        }
        'harden;compose;help;fix' {
            break
        }
        'harden;compose;help;config' {
            break
        }
        'harden;compose;help;up' {
            break
        }
        'harden;compose;help;run' {
            break
        }
        'harden;compose;help;create' {
            break
        }
        'harden;compose;help;help' {
            break
        }
        'harden;stack' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured with `auto`)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('deploy', 'deploy', [CompletionResultType]::ParameterValue, 'Harden a Compose project for Swarm, then `docker stack deploy` it')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'harden;stack;deploy' {
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Compose file (repeatable)')
            [CompletionResult]::new('--compose-file', '--compose-file', [CompletionResultType]::ParameterName, 'Compose file (repeatable)')
            [CompletionResult]::new('--preset', '--preset', [CompletionResultType]::ParameterName, 'Preset name or path (default: $HARDEN_PRESET, else .harden.yaml, else `default`)')
            [CompletionResult]::new('--allow', '--allow', [CompletionResultType]::ParameterName, 'Waive a rule for this invocation (repeatable)')
            [CompletionResult]::new('--resolve-image', '--resolve-image', [CompletionResultType]::ParameterName, 'Passed on: query the registry to resolve image digests (always, changed, never)')
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'Passed on: exit immediately instead of waiting for the services to converge')
            [CompletionResult]::new('--detach', '--detach', [CompletionResultType]::ParameterName, 'Passed on: exit immediately instead of waiting for the services to converge')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured with `auto`)')
            [CompletionResult]::new('--prune', '--prune', [CompletionResultType]::ParameterName, 'Passed on: prune services that are no longer referenced')
            [CompletionResult]::new('--with-registry-auth', '--with-registry-auth', [CompletionResultType]::ParameterName, 'Passed on: send registry authentication details to Swarm agents')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Passed on: suppress progress output')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Passed on: suppress progress output')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the hardened stack file instead of deploying it')
            [CompletionResult]::new('--trust-project', '--trust-project', [CompletionResultType]::ParameterName, 'Accept, for this command, a project .harden.yaml that weakens the policy')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'harden;stack;help' {
            [CompletionResult]::new('deploy', 'deploy', [CompletionResultType]::ParameterValue, 'Harden a Compose project for Swarm, then `docker stack deploy` it')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'harden;stack;help;deploy' {
            break
        }
        'harden;stack;help;help' {
            break
        }
        'harden;audit' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--fail-on', '--fail-on', [CompletionResultType]::ParameterName, 'Exit 1 when a finding at or above this severity is left')
            [CompletionResult]::new('--preset', '--preset', [CompletionResultType]::ParameterName, 'Preset name or path (default: $HARDEN_PRESET, else .harden.yaml, else `default`)')
            [CompletionResult]::new('--allow', '--allow', [CompletionResultType]::ParameterName, 'Waive a rule for this invocation (repeatable)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured with `auto`)')
            [CompletionResult]::new('-a', '-a', [CompletionResultType]::ParameterName, 'Audit every container, stopped ones too')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Audit every container, stopped ones too')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'harden;proxy' {
            [CompletionResult]::new('--listen', '--listen', [CompletionResultType]::ParameterName, 'Where clients connect: unix:///PATH (socket mode 0660), tcp://127.0.0.1:PORT, or fd:// (the socket systemd passes)')
            [CompletionResult]::new('--upstream', '--upstream', [CompletionResultType]::ParameterName, 'The Docker daemon to forward to (default: found as the Docker CLI finds it: DOCKER_HOST, DOCKER_CONTEXT, the current context; TLS and ssh:// included)')
            [CompletionResult]::new('--mode', '--mode', [CompletionResultType]::ParameterName, 'enforce: fix and refuse; warn: fix, never refuse (refusals become warnings); audit: forward unchanged, log what would change')
            [CompletionResult]::new('--preset', '--preset', [CompletionResultType]::ParameterName, 'Preset name or path (default: $HARDEN_PRESET, else `default`; the machine and user policies apply as for every command; no working directory''s .harden.yaml is read)')
            [CompletionResult]::new('--log', '--log', [CompletionResultType]::ParameterName, 'Write the decision log (one JSON object a line) to FILE instead of stderr')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured with `auto`)')
            [CompletionResult]::new('--allow-remote', '--allow-remote', [CompletionResultType]::ParameterName, 'Allow --listen on a TCP address that is not loopback. Whoever reaches it controls the Docker engine: there is no TLS and no authentication')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'harden;man' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured with `auto`)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'harden;trust' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured with `auto`)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'harden;presets' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured with `auto`)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the built-in presets and the team file in effect')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print a preset with `extends` resolved (a built-in name, a path, or the preset in effect)')
            [CompletionResult]::new('schema', 'schema', [CompletionResultType]::ParameterValue, 'Print a JSON Schema of the preset format (for editors: yaml-language-server)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'harden;presets;list' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured with `auto`)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'harden;presets;show' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured with `auto`)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'harden;presets;schema' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured with `auto`)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'harden;presets;help' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the built-in presets and the team file in effect')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print a preset with `extends` resolved (a built-in name, a path, or the preset in effect)')
            [CompletionResult]::new('schema', 'schema', [CompletionResultType]::ParameterValue, 'Print a JSON Schema of the preset format (for editors: yaml-language-server)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'harden;presets;help;list' {
            break
        }
        'harden;presets;help;show' {
            break
        }
        'harden;presets;help;schema' {
            break
        }
        'harden;presets;help;help' {
            break
        }
        'harden;run' {
            [CompletionResult]::new('--add-host', '--add-host', [CompletionResultType]::ParameterName, 'Add a custom host-to-IP mapping (host:ip)')
            [CompletionResult]::new('-a', '-a', [CompletionResultType]::ParameterName, 'Attach to STDIN, STDOUT or STDERR')
            [CompletionResult]::new('--attach', '--attach', [CompletionResultType]::ParameterName, 'Attach to STDIN, STDOUT or STDERR')
            [CompletionResult]::new('--blkio-weight', '--blkio-weight', [CompletionResultType]::ParameterName, 'Block IO (relative weight), between 10 and 1000, or 0 to disable (default 0)')
            [CompletionResult]::new('--blkio-weight-device', '--blkio-weight-device', [CompletionResultType]::ParameterName, 'Block IO weight (relative device weight)')
            [CompletionResult]::new('--cap-add', '--cap-add', [CompletionResultType]::ParameterName, 'Add Linux capabilities')
            [CompletionResult]::new('--cap-drop', '--cap-drop', [CompletionResultType]::ParameterName, 'Drop Linux capabilities')
            [CompletionResult]::new('--cgroup-parent', '--cgroup-parent', [CompletionResultType]::ParameterName, 'Optional parent cgroup for the container')
            [CompletionResult]::new('--cgroupns', '--cgroupns', [CompletionResultType]::ParameterName, 'Cgroup namespace to use (host|private) ''host'':    Run the container in the Docker host''s cgroup namespace ''private'': Run the container in its own private cgroup namespace '''':        Use the cgroup namespace as configured by the            default-cgroupns-mode option on the daemon (default)')
            [CompletionResult]::new('--cidfile', '--cidfile', [CompletionResultType]::ParameterName, 'Write the container ID to the file')
            [CompletionResult]::new('--cpu-period', '--cpu-period', [CompletionResultType]::ParameterName, 'Limit CPU CFS (Completely Fair Scheduler) period')
            [CompletionResult]::new('--cpu-quota', '--cpu-quota', [CompletionResultType]::ParameterName, 'Limit CPU CFS (Completely Fair Scheduler) quota')
            [CompletionResult]::new('--cpu-rt-period', '--cpu-rt-period', [CompletionResultType]::ParameterName, 'Limit CPU real-time period in microseconds')
            [CompletionResult]::new('--cpu-rt-runtime', '--cpu-rt-runtime', [CompletionResultType]::ParameterName, 'Limit CPU real-time runtime in microseconds')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'CPU shares (relative weight)')
            [CompletionResult]::new('--cpu-shares', '--cpu-shares', [CompletionResultType]::ParameterName, 'CPU shares (relative weight)')
            [CompletionResult]::new('--cpus', '--cpus', [CompletionResultType]::ParameterName, 'Number of CPUs')
            [CompletionResult]::new('--cpuset-cpus', '--cpuset-cpus', [CompletionResultType]::ParameterName, 'CPUs in which to allow execution (0-3, 0,1)')
            [CompletionResult]::new('--cpuset-mems', '--cpuset-mems', [CompletionResultType]::ParameterName, 'MEMs in which to allow execution (0-3, 0,1)')
            [CompletionResult]::new('--detach-keys', '--detach-keys', [CompletionResultType]::ParameterName, 'Override the key sequence for detaching a container')
            [CompletionResult]::new('--device', '--device', [CompletionResultType]::ParameterName, 'Add a host device to the container')
            [CompletionResult]::new('--device-cgroup-rule', '--device-cgroup-rule', [CompletionResultType]::ParameterName, 'Add a rule to the cgroup allowed devices list')
            [CompletionResult]::new('--device-read-bps', '--device-read-bps', [CompletionResultType]::ParameterName, 'Limit read rate (bytes per second) from a device')
            [CompletionResult]::new('--device-read-iops', '--device-read-iops', [CompletionResultType]::ParameterName, 'Limit read rate (IO per second) from a device')
            [CompletionResult]::new('--device-write-bps', '--device-write-bps', [CompletionResultType]::ParameterName, 'Limit write rate (bytes per second) to a device')
            [CompletionResult]::new('--device-write-iops', '--device-write-iops', [CompletionResultType]::ParameterName, 'Limit write rate (IO per second) to a device')
            [CompletionResult]::new('--dns', '--dns', [CompletionResultType]::ParameterName, 'Set custom DNS servers')
            [CompletionResult]::new('--dns-option', '--dns-option', [CompletionResultType]::ParameterName, 'Set DNS options')
            [CompletionResult]::new('--dns-search', '--dns-search', [CompletionResultType]::ParameterName, 'Set custom DNS search domains')
            [CompletionResult]::new('--domainname', '--domainname', [CompletionResultType]::ParameterName, 'Container NIS domain name')
            [CompletionResult]::new('--entrypoint', '--entrypoint', [CompletionResultType]::ParameterName, 'Overwrite the default ENTRYPOINT of the image')
            [CompletionResult]::new('-e', '-e', [CompletionResultType]::ParameterName, 'Set environment variables')
            [CompletionResult]::new('--env', '--env', [CompletionResultType]::ParameterName, 'Set environment variables')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Read in a file of environment variables')
            [CompletionResult]::new('--expose', '--expose', [CompletionResultType]::ParameterName, 'Expose a port or a range of ports')
            [CompletionResult]::new('--gpus', '--gpus', [CompletionResultType]::ParameterName, 'GPU devices to add to the container (''all'' to pass all GPUs)')
            [CompletionResult]::new('--group-add', '--group-add', [CompletionResultType]::ParameterName, 'Add additional groups to join')
            [CompletionResult]::new('--health-cmd', '--health-cmd', [CompletionResultType]::ParameterName, 'Command to run to check health')
            [CompletionResult]::new('--health-interval', '--health-interval', [CompletionResultType]::ParameterName, 'Time between running the check (ms|s|m|h) (default 0s)')
            [CompletionResult]::new('--health-retries', '--health-retries', [CompletionResultType]::ParameterName, 'Consecutive failures needed to report unhealthy')
            [CompletionResult]::new('--health-start-period', '--health-start-period', [CompletionResultType]::ParameterName, 'Start period for the container to initialize before starting health-retries countdown (ms|s|m|h) (default 0s)')
            [CompletionResult]::new('--health-timeout', '--health-timeout', [CompletionResultType]::ParameterName, 'Maximum time to allow one check to run (ms|s|m|h) (default 0s)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Container host name')
            [CompletionResult]::new('--hostname', '--hostname', [CompletionResultType]::ParameterName, 'Container host name')
            [CompletionResult]::new('--ip', '--ip', [CompletionResultType]::ParameterName, 'IPv4 address (e.g., 172.30.100.104)')
            [CompletionResult]::new('--ip6', '--ip6', [CompletionResultType]::ParameterName, 'IPv6 address (e.g., 2001:db8::33)')
            [CompletionResult]::new('--ipc', '--ipc', [CompletionResultType]::ParameterName, 'IPC mode to use')
            [CompletionResult]::new('--isolation', '--isolation', [CompletionResultType]::ParameterName, 'Container isolation technology')
            [CompletionResult]::new('--kernel-memory', '--kernel-memory', [CompletionResultType]::ParameterName, 'Kernel memory limit')
            [CompletionResult]::new('-l', '-l', [CompletionResultType]::ParameterName, 'Set meta data on a container')
            [CompletionResult]::new('--label', '--label', [CompletionResultType]::ParameterName, 'Set meta data on a container')
            [CompletionResult]::new('--label-file', '--label-file', [CompletionResultType]::ParameterName, 'Read in a line delimited file of labels')
            [CompletionResult]::new('--link', '--link', [CompletionResultType]::ParameterName, 'Add link to another container')
            [CompletionResult]::new('--link-local-ip', '--link-local-ip', [CompletionResultType]::ParameterName, 'Container IPv4/IPv6 link-local addresses')
            [CompletionResult]::new('--log-driver', '--log-driver', [CompletionResultType]::ParameterName, 'Logging driver for the container')
            [CompletionResult]::new('--log-opt', '--log-opt', [CompletionResultType]::ParameterName, 'Log driver options')
            [CompletionResult]::new('--mac-address', '--mac-address', [CompletionResultType]::ParameterName, 'Container MAC address (e.g., 92:d0:c6:0a:29:33)')
            [CompletionResult]::new('-m', '-m', [CompletionResultType]::ParameterName, 'Memory limit')
            [CompletionResult]::new('--memory', '--memory', [CompletionResultType]::ParameterName, 'Memory limit')
            [CompletionResult]::new('--memory-reservation', '--memory-reservation', [CompletionResultType]::ParameterName, 'Memory soft limit')
            [CompletionResult]::new('--memory-swap', '--memory-swap', [CompletionResultType]::ParameterName, 'Swap limit equal to memory plus swap: ''-1'' to enable unlimited swap')
            [CompletionResult]::new('--memory-swappiness', '--memory-swappiness', [CompletionResultType]::ParameterName, 'Tune container memory swappiness (0 to 100)')
            [CompletionResult]::new('--mount', '--mount', [CompletionResultType]::ParameterName, 'Attach a filesystem mount to the container')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'Assign a name to the container')
            [CompletionResult]::new('--network', '--network', [CompletionResultType]::ParameterName, 'Connect a container to a network')
            [CompletionResult]::new('--network-alias', '--network-alias', [CompletionResultType]::ParameterName, 'Add network-scoped alias for the container')
            [CompletionResult]::new('--oom-score-adj', '--oom-score-adj', [CompletionResultType]::ParameterName, 'Tune host''s OOM preferences (-1000 to 1000)')
            [CompletionResult]::new('--pid', '--pid', [CompletionResultType]::ParameterName, 'PID namespace to use')
            [CompletionResult]::new('--pids-limit', '--pids-limit', [CompletionResultType]::ParameterName, 'Tune container pids limit (set -1 for unlimited)')
            [CompletionResult]::new('--platform', '--platform', [CompletionResultType]::ParameterName, 'Set platform if server is multi-platform capable')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Publish a container''s port(s) to the host')
            [CompletionResult]::new('--publish', '--publish', [CompletionResultType]::ParameterName, 'Publish a container''s port(s) to the host')
            [CompletionResult]::new('--pull', '--pull', [CompletionResultType]::ParameterName, 'Pull image before running ("always", "missing", "never")')
            [CompletionResult]::new('--restart', '--restart', [CompletionResultType]::ParameterName, 'Restart policy to apply when a container exits')
            [CompletionResult]::new('--runtime', '--runtime', [CompletionResultType]::ParameterName, 'Runtime to use for this container')
            [CompletionResult]::new('--security-opt', '--security-opt', [CompletionResultType]::ParameterName, 'Security Options')
            [CompletionResult]::new('--shm-size', '--shm-size', [CompletionResultType]::ParameterName, 'Size of /dev/shm')
            [CompletionResult]::new('--stop-signal', '--stop-signal', [CompletionResultType]::ParameterName, 'Signal to stop the container')
            [CompletionResult]::new('--stop-timeout', '--stop-timeout', [CompletionResultType]::ParameterName, 'Timeout (in seconds) to stop a container')
            [CompletionResult]::new('--storage-opt', '--storage-opt', [CompletionResultType]::ParameterName, 'Storage driver options for the container')
            [CompletionResult]::new('--sysctl', '--sysctl', [CompletionResultType]::ParameterName, 'Sysctl options')
            [CompletionResult]::new('--tmpfs', '--tmpfs', [CompletionResultType]::ParameterName, 'Mount a tmpfs directory')
            [CompletionResult]::new('--ulimit', '--ulimit', [CompletionResultType]::ParameterName, 'Ulimit options')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Username or UID (format: <name|uid>[:<group|gid>])')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Username or UID (format: <name|uid>[:<group|gid>])')
            [CompletionResult]::new('--userns', '--userns', [CompletionResultType]::ParameterName, 'User namespace to use')
            [CompletionResult]::new('--uts', '--uts', [CompletionResultType]::ParameterName, 'UTS namespace to use')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Bind mount a volume')
            [CompletionResult]::new('--volume', '--volume', [CompletionResultType]::ParameterName, 'Bind mount a volume')
            [CompletionResult]::new('--volume-driver', '--volume-driver', [CompletionResultType]::ParameterName, 'Optional volume driver for the container')
            [CompletionResult]::new('--volumes-from', '--volumes-from', [CompletionResultType]::ParameterName, 'Mount volumes from the specified container(s)')
            [CompletionResult]::new('-w', '-w', [CompletionResultType]::ParameterName, 'Working directory inside the container')
            [CompletionResult]::new('--workdir', '--workdir', [CompletionResultType]::ParameterName, 'Working directory inside the container')
            [CompletionResult]::new('--allow', '--allow', [CompletionResultType]::ParameterName, 'Allow what a rule would refuse or change (rule id; repeatable)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format of --dry-run: the command line, or JSON with the create body (text|json)')
            [CompletionResult]::new('--preset', '--preset', [CompletionResultType]::ParameterName, 'Hardening preset: a built-in name or a preset file')
            [CompletionResult]::new('--watch', '--watch', [CompletionResultType]::ParameterName, 'With -d, watch the container this long and explain a failure (default 2s; 0: off)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured with `auto`)')
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'Run container in background and print container ID')
            [CompletionResult]::new('--detach', '--detach', [CompletionResultType]::ParameterName, 'Run container in background and print container ID')
            [CompletionResult]::new('--disable-content-trust', '--disable-content-trust', [CompletionResultType]::ParameterName, 'Skip image verification')
            [CompletionResult]::new('--init', '--init', [CompletionResultType]::ParameterName, 'Run an init inside the container that forwards signals and reaps processes')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Keep STDIN open even if not attached')
            [CompletionResult]::new('--interactive', '--interactive', [CompletionResultType]::ParameterName, 'Keep STDIN open even if not attached')
            [CompletionResult]::new('--no-healthcheck', '--no-healthcheck', [CompletionResultType]::ParameterName, 'Disable any container-specified HEALTHCHECK')
            [CompletionResult]::new('--oom-kill-disable', '--oom-kill-disable', [CompletionResultType]::ParameterName, 'Disable OOM Killer')
            [CompletionResult]::new('--privileged', '--privileged', [CompletionResultType]::ParameterName, 'Give extended privileges to this container')
            [CompletionResult]::new('-P', '-P ', [CompletionResultType]::ParameterName, 'Publish all exposed ports to random ports')
            [CompletionResult]::new('--publish-all', '--publish-all', [CompletionResultType]::ParameterName, 'Publish all exposed ports to random ports')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Suppress the pull output')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Suppress the pull output')
            [CompletionResult]::new('--read-only', '--read-only', [CompletionResultType]::ParameterName, 'Mount the container''s root filesystem as read only')
            [CompletionResult]::new('--rm', '--rm', [CompletionResultType]::ParameterName, 'Automatically remove the container and its associated anonymous volumes when it exits')
            [CompletionResult]::new('--sig-proxy', '--sig-proxy', [CompletionResultType]::ParameterName, 'Proxy received signals to the process')
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Allocate a pseudo-TTY')
            [CompletionResult]::new('--tty', '--tty', [CompletionResultType]::ParameterName, 'Allocate a pseudo-TTY')
            [CompletionResult]::new('--use-api-socket', '--use-api-socket', [CompletionResultType]::ParameterName, 'Bind mount Docker API socket and required auth')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the hardened command and create body; run nothing')
            [CompletionResult]::new('--explain', '--explain', [CompletionResultType]::ParameterName, 'Explain every change harden makes')
            [CompletionResult]::new('--no-harden', '--no-harden', [CompletionResultType]::ParameterName, 'Run exactly as docker would, without hardening')
            [CompletionResult]::new('--review', '--review', [CompletionResultType]::ParameterName, 'Ask about each change (accept, skip, explain, quit) before applying it')
            [CompletionResult]::new('--trust-project', '--trust-project', [CompletionResultType]::ParameterName, 'Accept, for this command, a project .harden.yaml that weakens the policy')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print usage')
            break
        }
        'harden;create' {
            [CompletionResult]::new('--add-host', '--add-host', [CompletionResultType]::ParameterName, 'Add a custom host-to-IP mapping (host:ip)')
            [CompletionResult]::new('-a', '-a', [CompletionResultType]::ParameterName, 'Attach to STDIN, STDOUT or STDERR')
            [CompletionResult]::new('--attach', '--attach', [CompletionResultType]::ParameterName, 'Attach to STDIN, STDOUT or STDERR')
            [CompletionResult]::new('--blkio-weight', '--blkio-weight', [CompletionResultType]::ParameterName, 'Block IO (relative weight), between 10 and 1000, or 0 to disable (default 0)')
            [CompletionResult]::new('--blkio-weight-device', '--blkio-weight-device', [CompletionResultType]::ParameterName, 'Block IO weight (relative device weight)')
            [CompletionResult]::new('--cap-add', '--cap-add', [CompletionResultType]::ParameterName, 'Add Linux capabilities')
            [CompletionResult]::new('--cap-drop', '--cap-drop', [CompletionResultType]::ParameterName, 'Drop Linux capabilities')
            [CompletionResult]::new('--cgroup-parent', '--cgroup-parent', [CompletionResultType]::ParameterName, 'Optional parent cgroup for the container')
            [CompletionResult]::new('--cgroupns', '--cgroupns', [CompletionResultType]::ParameterName, 'Cgroup namespace to use (host|private) ''host'':    Run the container in the Docker host''s cgroup namespace ''private'': Run the container in its own private cgroup namespace '''':        Use the cgroup namespace as configured by the            default-cgroupns-mode option on the daemon (default)')
            [CompletionResult]::new('--cidfile', '--cidfile', [CompletionResultType]::ParameterName, 'Write the container ID to the file')
            [CompletionResult]::new('--cpu-period', '--cpu-period', [CompletionResultType]::ParameterName, 'Limit CPU CFS (Completely Fair Scheduler) period')
            [CompletionResult]::new('--cpu-quota', '--cpu-quota', [CompletionResultType]::ParameterName, 'Limit CPU CFS (Completely Fair Scheduler) quota')
            [CompletionResult]::new('--cpu-rt-period', '--cpu-rt-period', [CompletionResultType]::ParameterName, 'Limit CPU real-time period in microseconds')
            [CompletionResult]::new('--cpu-rt-runtime', '--cpu-rt-runtime', [CompletionResultType]::ParameterName, 'Limit CPU real-time runtime in microseconds')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'CPU shares (relative weight)')
            [CompletionResult]::new('--cpu-shares', '--cpu-shares', [CompletionResultType]::ParameterName, 'CPU shares (relative weight)')
            [CompletionResult]::new('--cpus', '--cpus', [CompletionResultType]::ParameterName, 'Number of CPUs')
            [CompletionResult]::new('--cpuset-cpus', '--cpuset-cpus', [CompletionResultType]::ParameterName, 'CPUs in which to allow execution (0-3, 0,1)')
            [CompletionResult]::new('--cpuset-mems', '--cpuset-mems', [CompletionResultType]::ParameterName, 'MEMs in which to allow execution (0-3, 0,1)')
            [CompletionResult]::new('--detach-keys', '--detach-keys', [CompletionResultType]::ParameterName, 'Override the key sequence for detaching a container')
            [CompletionResult]::new('--device', '--device', [CompletionResultType]::ParameterName, 'Add a host device to the container')
            [CompletionResult]::new('--device-cgroup-rule', '--device-cgroup-rule', [CompletionResultType]::ParameterName, 'Add a rule to the cgroup allowed devices list')
            [CompletionResult]::new('--device-read-bps', '--device-read-bps', [CompletionResultType]::ParameterName, 'Limit read rate (bytes per second) from a device')
            [CompletionResult]::new('--device-read-iops', '--device-read-iops', [CompletionResultType]::ParameterName, 'Limit read rate (IO per second) from a device')
            [CompletionResult]::new('--device-write-bps', '--device-write-bps', [CompletionResultType]::ParameterName, 'Limit write rate (bytes per second) to a device')
            [CompletionResult]::new('--device-write-iops', '--device-write-iops', [CompletionResultType]::ParameterName, 'Limit write rate (IO per second) to a device')
            [CompletionResult]::new('--dns', '--dns', [CompletionResultType]::ParameterName, 'Set custom DNS servers')
            [CompletionResult]::new('--dns-option', '--dns-option', [CompletionResultType]::ParameterName, 'Set DNS options')
            [CompletionResult]::new('--dns-search', '--dns-search', [CompletionResultType]::ParameterName, 'Set custom DNS search domains')
            [CompletionResult]::new('--domainname', '--domainname', [CompletionResultType]::ParameterName, 'Container NIS domain name')
            [CompletionResult]::new('--entrypoint', '--entrypoint', [CompletionResultType]::ParameterName, 'Overwrite the default ENTRYPOINT of the image')
            [CompletionResult]::new('-e', '-e', [CompletionResultType]::ParameterName, 'Set environment variables')
            [CompletionResult]::new('--env', '--env', [CompletionResultType]::ParameterName, 'Set environment variables')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Read in a file of environment variables')
            [CompletionResult]::new('--expose', '--expose', [CompletionResultType]::ParameterName, 'Expose a port or a range of ports')
            [CompletionResult]::new('--gpus', '--gpus', [CompletionResultType]::ParameterName, 'GPU devices to add to the container (''all'' to pass all GPUs)')
            [CompletionResult]::new('--group-add', '--group-add', [CompletionResultType]::ParameterName, 'Add additional groups to join')
            [CompletionResult]::new('--health-cmd', '--health-cmd', [CompletionResultType]::ParameterName, 'Command to run to check health')
            [CompletionResult]::new('--health-interval', '--health-interval', [CompletionResultType]::ParameterName, 'Time between running the check (ms|s|m|h) (default 0s)')
            [CompletionResult]::new('--health-retries', '--health-retries', [CompletionResultType]::ParameterName, 'Consecutive failures needed to report unhealthy')
            [CompletionResult]::new('--health-start-period', '--health-start-period', [CompletionResultType]::ParameterName, 'Start period for the container to initialize before starting health-retries countdown (ms|s|m|h) (default 0s)')
            [CompletionResult]::new('--health-timeout', '--health-timeout', [CompletionResultType]::ParameterName, 'Maximum time to allow one check to run (ms|s|m|h) (default 0s)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Container host name')
            [CompletionResult]::new('--hostname', '--hostname', [CompletionResultType]::ParameterName, 'Container host name')
            [CompletionResult]::new('--ip', '--ip', [CompletionResultType]::ParameterName, 'IPv4 address (e.g., 172.30.100.104)')
            [CompletionResult]::new('--ip6', '--ip6', [CompletionResultType]::ParameterName, 'IPv6 address (e.g., 2001:db8::33)')
            [CompletionResult]::new('--ipc', '--ipc', [CompletionResultType]::ParameterName, 'IPC mode to use')
            [CompletionResult]::new('--isolation', '--isolation', [CompletionResultType]::ParameterName, 'Container isolation technology')
            [CompletionResult]::new('--kernel-memory', '--kernel-memory', [CompletionResultType]::ParameterName, 'Kernel memory limit')
            [CompletionResult]::new('-l', '-l', [CompletionResultType]::ParameterName, 'Set meta data on a container')
            [CompletionResult]::new('--label', '--label', [CompletionResultType]::ParameterName, 'Set meta data on a container')
            [CompletionResult]::new('--label-file', '--label-file', [CompletionResultType]::ParameterName, 'Read in a line delimited file of labels')
            [CompletionResult]::new('--link', '--link', [CompletionResultType]::ParameterName, 'Add link to another container')
            [CompletionResult]::new('--link-local-ip', '--link-local-ip', [CompletionResultType]::ParameterName, 'Container IPv4/IPv6 link-local addresses')
            [CompletionResult]::new('--log-driver', '--log-driver', [CompletionResultType]::ParameterName, 'Logging driver for the container')
            [CompletionResult]::new('--log-opt', '--log-opt', [CompletionResultType]::ParameterName, 'Log driver options')
            [CompletionResult]::new('--mac-address', '--mac-address', [CompletionResultType]::ParameterName, 'Container MAC address (e.g., 92:d0:c6:0a:29:33)')
            [CompletionResult]::new('-m', '-m', [CompletionResultType]::ParameterName, 'Memory limit')
            [CompletionResult]::new('--memory', '--memory', [CompletionResultType]::ParameterName, 'Memory limit')
            [CompletionResult]::new('--memory-reservation', '--memory-reservation', [CompletionResultType]::ParameterName, 'Memory soft limit')
            [CompletionResult]::new('--memory-swap', '--memory-swap', [CompletionResultType]::ParameterName, 'Swap limit equal to memory plus swap: ''-1'' to enable unlimited swap')
            [CompletionResult]::new('--memory-swappiness', '--memory-swappiness', [CompletionResultType]::ParameterName, 'Tune container memory swappiness (0 to 100)')
            [CompletionResult]::new('--mount', '--mount', [CompletionResultType]::ParameterName, 'Attach a filesystem mount to the container')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'Assign a name to the container')
            [CompletionResult]::new('--network', '--network', [CompletionResultType]::ParameterName, 'Connect a container to a network')
            [CompletionResult]::new('--network-alias', '--network-alias', [CompletionResultType]::ParameterName, 'Add network-scoped alias for the container')
            [CompletionResult]::new('--oom-score-adj', '--oom-score-adj', [CompletionResultType]::ParameterName, 'Tune host''s OOM preferences (-1000 to 1000)')
            [CompletionResult]::new('--pid', '--pid', [CompletionResultType]::ParameterName, 'PID namespace to use')
            [CompletionResult]::new('--pids-limit', '--pids-limit', [CompletionResultType]::ParameterName, 'Tune container pids limit (set -1 for unlimited)')
            [CompletionResult]::new('--platform', '--platform', [CompletionResultType]::ParameterName, 'Set platform if server is multi-platform capable')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Publish a container''s port(s) to the host')
            [CompletionResult]::new('--publish', '--publish', [CompletionResultType]::ParameterName, 'Publish a container''s port(s) to the host')
            [CompletionResult]::new('--pull', '--pull', [CompletionResultType]::ParameterName, 'Pull image before running ("always", "missing", "never")')
            [CompletionResult]::new('--restart', '--restart', [CompletionResultType]::ParameterName, 'Restart policy to apply when a container exits')
            [CompletionResult]::new('--runtime', '--runtime', [CompletionResultType]::ParameterName, 'Runtime to use for this container')
            [CompletionResult]::new('--security-opt', '--security-opt', [CompletionResultType]::ParameterName, 'Security Options')
            [CompletionResult]::new('--shm-size', '--shm-size', [CompletionResultType]::ParameterName, 'Size of /dev/shm')
            [CompletionResult]::new('--stop-signal', '--stop-signal', [CompletionResultType]::ParameterName, 'Signal to stop the container')
            [CompletionResult]::new('--stop-timeout', '--stop-timeout', [CompletionResultType]::ParameterName, 'Timeout (in seconds) to stop a container')
            [CompletionResult]::new('--storage-opt', '--storage-opt', [CompletionResultType]::ParameterName, 'Storage driver options for the container')
            [CompletionResult]::new('--sysctl', '--sysctl', [CompletionResultType]::ParameterName, 'Sysctl options')
            [CompletionResult]::new('--tmpfs', '--tmpfs', [CompletionResultType]::ParameterName, 'Mount a tmpfs directory')
            [CompletionResult]::new('--ulimit', '--ulimit', [CompletionResultType]::ParameterName, 'Ulimit options')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Username or UID (format: <name|uid>[:<group|gid>])')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Username or UID (format: <name|uid>[:<group|gid>])')
            [CompletionResult]::new('--userns', '--userns', [CompletionResultType]::ParameterName, 'User namespace to use')
            [CompletionResult]::new('--uts', '--uts', [CompletionResultType]::ParameterName, 'UTS namespace to use')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Bind mount a volume')
            [CompletionResult]::new('--volume', '--volume', [CompletionResultType]::ParameterName, 'Bind mount a volume')
            [CompletionResult]::new('--volume-driver', '--volume-driver', [CompletionResultType]::ParameterName, 'Optional volume driver for the container')
            [CompletionResult]::new('--volumes-from', '--volumes-from', [CompletionResultType]::ParameterName, 'Mount volumes from the specified container(s)')
            [CompletionResult]::new('-w', '-w', [CompletionResultType]::ParameterName, 'Working directory inside the container')
            [CompletionResult]::new('--workdir', '--workdir', [CompletionResultType]::ParameterName, 'Working directory inside the container')
            [CompletionResult]::new('--allow', '--allow', [CompletionResultType]::ParameterName, 'Allow what a rule would refuse or change (rule id; repeatable)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format of --dry-run: the command line, or JSON with the create body (text|json)')
            [CompletionResult]::new('--preset', '--preset', [CompletionResultType]::ParameterName, 'Hardening preset: a built-in name or a preset file')
            [CompletionResult]::new('--watch', '--watch', [CompletionResultType]::ParameterName, 'With -d, watch the container this long and explain a failure (default 2s; 0: off)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours (NO_COLOR is honoured with `auto`)')
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'Run container in background and print container ID')
            [CompletionResult]::new('--detach', '--detach', [CompletionResultType]::ParameterName, 'Run container in background and print container ID')
            [CompletionResult]::new('--disable-content-trust', '--disable-content-trust', [CompletionResultType]::ParameterName, 'Skip image verification')
            [CompletionResult]::new('--init', '--init', [CompletionResultType]::ParameterName, 'Run an init inside the container that forwards signals and reaps processes')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Keep STDIN open even if not attached')
            [CompletionResult]::new('--interactive', '--interactive', [CompletionResultType]::ParameterName, 'Keep STDIN open even if not attached')
            [CompletionResult]::new('--no-healthcheck', '--no-healthcheck', [CompletionResultType]::ParameterName, 'Disable any container-specified HEALTHCHECK')
            [CompletionResult]::new('--oom-kill-disable', '--oom-kill-disable', [CompletionResultType]::ParameterName, 'Disable OOM Killer')
            [CompletionResult]::new('--privileged', '--privileged', [CompletionResultType]::ParameterName, 'Give extended privileges to this container')
            [CompletionResult]::new('-P', '-P ', [CompletionResultType]::ParameterName, 'Publish all exposed ports to random ports')
            [CompletionResult]::new('--publish-all', '--publish-all', [CompletionResultType]::ParameterName, 'Publish all exposed ports to random ports')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Suppress the pull output')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Suppress the pull output')
            [CompletionResult]::new('--read-only', '--read-only', [CompletionResultType]::ParameterName, 'Mount the container''s root filesystem as read only')
            [CompletionResult]::new('--rm', '--rm', [CompletionResultType]::ParameterName, 'Automatically remove the container and its associated anonymous volumes when it exits')
            [CompletionResult]::new('--sig-proxy', '--sig-proxy', [CompletionResultType]::ParameterName, 'Proxy received signals to the process')
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Allocate a pseudo-TTY')
            [CompletionResult]::new('--tty', '--tty', [CompletionResultType]::ParameterName, 'Allocate a pseudo-TTY')
            [CompletionResult]::new('--use-api-socket', '--use-api-socket', [CompletionResultType]::ParameterName, 'Bind mount Docker API socket and required auth')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the hardened command and create body; run nothing')
            [CompletionResult]::new('--explain', '--explain', [CompletionResultType]::ParameterName, 'Explain every change harden makes')
            [CompletionResult]::new('--no-harden', '--no-harden', [CompletionResultType]::ParameterName, 'Run exactly as docker would, without hardening')
            [CompletionResult]::new('--review', '--review', [CompletionResultType]::ParameterName, 'Ask about each change (accept, skip, explain, quit) before applying it')
            [CompletionResult]::new('--trust-project', '--trust-project', [CompletionResultType]::ParameterName, 'Accept, for this command, a project .harden.yaml that weakens the policy')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print usage')
            break
        }
        'harden;help' {
            [CompletionResult]::new('learn', 'learn', [CompletionResultType]::ParameterValue, 'Find what an image needs to work hardened, by trial runs, and write its profile')
            [CompletionResult]::new('rules', 'rules', [CompletionResultType]::ParameterValue, 'List the rules')
            [CompletionResult]::new('explain', 'explain', [CompletionResultType]::ParameterValue, 'Explain a rule: why it matters, an example, its fix, how to waive it, references')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script (bash, zsh, fish, powershell, elvish)')
            [CompletionResult]::new('compose', 'compose', [CompletionResultType]::ParameterValue, 'Lint, fix, print or bring up a Docker Compose project with the same rules')
            [CompletionResult]::new('stack', 'stack', [CompletionResultType]::ParameterValue, 'Deploy a Compose project to Swarm, hardened: `harden stack deploy -c FILE STACK`')
            [CompletionResult]::new('audit', 'audit', [CompletionResultType]::ParameterValue, 'Check running containers (or all with --all) against the rules and the preset')
            [CompletionResult]::new('proxy', 'proxy', [CompletionResultType]::ParameterValue, 'Serve the Engine API to every client (Compose, CI runners, SDKs) with the doors to privilege judged: `harden proxy --listen unix:///run/harden/docker.sock`')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print the man page (roff): `harden man | man -l -`')
            [CompletionResult]::new('trust', 'trust', [CompletionResultType]::ParameterValue, 'Trust a project''s .harden.yaml as it is now (needed when it weakens the policy)')
            [CompletionResult]::new('presets', 'presets', [CompletionResultType]::ParameterValue, 'List the presets, or show one resolved')
            [CompletionResult]::new('run', 'run', [CompletionResultType]::ParameterValue, 'Harden, create, start and attach a container: accepts every `docker run` flag')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Harden and create a container without starting it (drop-in for `docker create`)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'harden;help;learn' {
            break
        }
        'harden;help;rules' {
            break
        }
        'harden;help;explain' {
            break
        }
        'harden;help;completions' {
            break
        }
        'harden;help;compose' {
            [CompletionResult]::new('lint', 'lint', [CompletionResultType]::ParameterValue, 'Report what the rules find, per service, with file:line:column')
            [CompletionResult]::new('fix', 'fix', [CompletionResultType]::ParameterValue, 'Rewrite the files with every fixable rule, keeping comments and style')
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'Print the hardened project: `docker compose config ARGS` on it (Compose v2), else harden''s own rendering')
            [CompletionResult]::new('up', 'up', [CompletionResultType]::ParameterValue, 'Harden, then `docker compose up` with ARGS (refused when a deny rule fires)')
            [CompletionResult]::new('run', 'run', [CompletionResultType]::ParameterValue, 'Harden, then `docker compose run` with ARGS')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Harden, then `docker compose create` with ARGS')
            break
        }
        'harden;help;compose;lint' {
            break
        }
        'harden;help;compose;fix' {
            break
        }
        'harden;help;compose;config' {
            break
        }
        'harden;help;compose;up' {
            break
        }
        'harden;help;compose;run' {
            break
        }
        'harden;help;compose;create' {
            break
        }
        'harden;help;stack' {
            [CompletionResult]::new('deploy', 'deploy', [CompletionResultType]::ParameterValue, 'Harden a Compose project for Swarm, then `docker stack deploy` it')
            break
        }
        'harden;help;stack;deploy' {
            break
        }
        'harden;help;audit' {
            break
        }
        'harden;help;proxy' {
            break
        }
        'harden;help;man' {
            break
        }
        'harden;help;trust' {
            break
        }
        'harden;help;presets' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the built-in presets and the team file in effect')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print a preset with `extends` resolved (a built-in name, a path, or the preset in effect)')
            [CompletionResult]::new('schema', 'schema', [CompletionResultType]::ParameterValue, 'Print a JSON Schema of the preset format (for editors: yaml-language-server)')
            break
        }
        'harden;help;presets;list' {
            break
        }
        'harden;help;presets;show' {
            break
        }
        'harden;help;presets;schema' {
            break
        }
        'harden;help;run' {
            break
        }
        'harden;help;create' {
            break
        }
        'harden;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
