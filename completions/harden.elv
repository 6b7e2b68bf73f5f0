
use builtin;
use str;

set edit:completion:arg-completer[harden] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'harden'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'harden'= {
            cand --color 'When to use colours (NO_COLOR is honoured with `auto`)'
            cand -q 'Do not print harden''s own notices (summaries, assumptions); errors are still printed. Goes before the subcommand: after `run`, `-q` is docker''s `--quiet`'
            cand --quiet 'Do not print harden''s own notices (summaries, assumptions); errors are still printed. Goes before the subcommand: after `run`, `-q` is docker''s `--quiet`'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand learn 'Find what an image needs to work hardened, by trial runs, and write its profile'
            cand rules 'List the rules'
            cand explain 'Explain a rule: why it matters, an example, its fix, how to waive it, references'
            cand completions 'Print a shell completion script (bash, zsh, fish, powershell, elvish)'
            cand compose 'Lint, fix, print or bring up a Docker Compose project with the same rules'
            cand stack 'Deploy a Compose project to Swarm, hardened: `harden stack deploy -c FILE STACK`'
            cand audit 'Check running containers (or all with --all) against the rules and the preset'
            cand proxy 'Serve the Engine API to every client (Compose, CI runners, SDKs) with the doors to privilege judged: `harden proxy --listen unix:///run/harden/docker.sock`'
            cand man 'Print the man page (roff): `harden man | man -l -`'
            cand trust 'Trust a project''s .harden.yaml as it is now (needed when it weakens the policy)'
            cand presets 'List the presets, or show one resolved'
            cand run 'Harden, create, start and attach a container: accepts every `docker run` flag'
            cand create 'Harden and create a container without starting it (drop-in for `docker create`)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'harden;learn'= {
            cand --color 'When to use colours (NO_COLOR is honoured with `auto`)'
        }
        &'harden;rules'= {
            cand --format 'Output format'
            cand --color 'When to use colours (NO_COLOR is honoured with `auto`)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'harden;explain'= {
            cand --color 'When to use colours (NO_COLOR is honoured with `auto`)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'harden;completions'= {
            cand --color 'When to use colours (NO_COLOR is honoured with `auto`)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'harden;compose'= {
            cand -f 'Compose file (repeatable; default: as `docker compose` finds them, or $COMPOSE_FILE)'
            cand --file 'Compose file (repeatable; default: as `docker compose` finds them, or $COMPOSE_FILE)'
            cand -p 'Project name (default: $COMPOSE_PROJECT_NAME, else `name:`, else the directory''s name)'
            cand --project-name 'Project name (default: $COMPOSE_PROJECT_NAME, else `name:`, else the directory''s name)'
            cand --project-directory 'The project directory (default: the first file''s directory)'
            cand --env-file 'Variables file(s) instead of the project''s `.env` (repeatable)'
            cand --profile 'Profile to enable for `docker compose` (repeatable; harden lints every service anyway)'
            cand --ansi 'Passed on to `docker compose`'
            cand --progress 'Passed on to `docker compose`'
            cand --parallel 'Passed on to `docker compose`'
            cand --preset 'Preset name or path (default: $HARDEN_PRESET, else .harden.yaml, else `default`)'
            cand --allow 'Waive a rule for this invocation (repeatable)'
            cand --color 'When to use colours (NO_COLOR is honoured with `auto`)'
            cand --compatibility 'Passed on to `docker compose`'
            cand --dry-run 'Passed on to `docker compose`'
            cand --trust-project 'Accept, for this command, a project .harden.yaml that weakens the policy (also HARDEN_TRUST_PROJECT=1); `harden trust` accepts it until it changes'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand lint 'Report what the rules find, per service, with file:line:column'
            cand fix 'Rewrite the files with every fixable rule, keeping comments and style'
            cand config 'Print the hardened project: `docker compose config ARGS` on it (Compose v2), else harden''s own rendering'
            cand up 'Harden, then `docker compose up` with ARGS (refused when a deny rule fires)'
            cand run 'Harden, then `docker compose run` with ARGS'
            cand create 'Harden, then `docker compose create` with ARGS'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'harden;compose;lint'= {
            cand --format 'format'
            cand --fail-on 'Exit 1 when a finding at or above this severity is left'
            cand --target 'The engine the project is for: `swarm` judges what `docker stack deploy` carries'
            cand -f 'Compose file (repeatable; default: as `docker compose` finds them, or $COMPOSE_FILE)'
            cand --file 'Compose file (repeatable; default: as `docker compose` finds them, or $COMPOSE_FILE)'
            cand -p 'Project name (default: $COMPOSE_PROJECT_NAME, else `name:`, else the directory''s name)'
            cand --project-name 'Project name (default: $COMPOSE_PROJECT_NAME, else `name:`, else the directory''s name)'
            cand --project-directory 'The project directory (default: the first file''s directory)'
            cand --env-file 'Variables file(s) instead of the project''s `.env` (repeatable)'
            cand --profile 'Profile to enable for `docker compose` (repeatable; harden lints every service anyway)'
            cand --ansi 'Passed on to `docker compose`'
            cand --progress 'Passed on to `docker compose`'
            cand --parallel 'Passed on to `docker compose`'
            cand --preset 'Preset name or path (default: $HARDEN_PRESET, else .harden.yaml, else `default`)'
            cand --allow 'Waive a rule for this invocation (repeatable)'
            cand --color 'When to use colours (NO_COLOR is honoured with `auto`)'
            cand --compatibility 'Passed on to `docker compose`'
            cand --dry-run 'Passed on to `docker compose`'
            cand --trust-project 'Accept, for this command, a project .harden.yaml that weakens the policy (also HARDEN_TRUST_PROJECT=1); `harden trust` accepts it until it changes'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'harden;compose;fix'= {
            cand --target 'The engine the project is for: `swarm` writes what `docker stack deploy` carries'
            cand -f 'Compose file (repeatable; default: as `docker compose` finds them, or $COMPOSE_FILE)'
            cand --file 'Compose file (repeatable; default: as `docker compose` finds them, or $COMPOSE_FILE)'
            cand -p 'Project name (default: $COMPOSE_PROJECT_NAME, else `name:`, else the directory''s name)'
            cand --project-name 'Project name (default: $COMPOSE_PROJECT_NAME, else `name:`, else the directory''s name)'
            cand --project-directory 'The project directory (default: the first file''s directory)'
            cand --env-file 'Variables file(s) instead of the project''s `.env` (repeatable)'
            cand --profile 'Profile to enable for `docker compose` (repeatable; harden lints every service anyway)'
            cand --ansi 'Passed on to `docker compose`'
            cand --progress 'Passed on to `docker compose`'
            cand --parallel 'Passed on to `docker compose`'
            cand --preset 'Preset name or path (default: $HARDEN_PRESET, else .harden.yaml, else `default`)'
            cand --allow 'Waive a rule for this invocation (repeatable)'
            cand --color 'When to use colours (NO_COLOR is honoured with `auto`)'
            cand --diff 'Print a unified diff; write nothing'
            cand --check 'Exit 1 when something would change; write nothing'
            cand --stdout 'Print the fixed file(s); write nothing'
            cand --review 'Ask before each change (needs a terminal)'
            cand --compatibility 'Passed on to `docker compose`'
            cand --dry-run 'Passed on to `docker compose`'
            cand --trust-project 'Accept, for this command, a project .harden.yaml that weakens the policy (also HARDEN_TRUST_PROJECT=1); `harden trust` accepts it until it changes'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'harden;compose;config'= {
            cand -f 'Compose file (repeatable; default: as `docker compose` finds them, or $COMPOSE_FILE)'
            cand --file 'Compose file (repeatable; default: as `docker compose` finds them, or $COMPOSE_FILE)'
            cand -p 'Project name (default: $COMPOSE_PROJECT_NAME, else `name:`, else the directory''s name)'
            cand --project-name 'Project name (default: $COMPOSE_PROJECT_NAME, else `name:`, else the directory''s name)'
            cand --project-directory 'The project directory (default: the first file''s directory)'
            cand --env-file 'Variables file(s) instead of the project''s `.env` (repeatable)'
            cand --profile 'Profile to enable for `docker compose` (repeatable; harden lints every service anyway)'
            cand --ansi 'Passed on to `docker compose`'
            cand --progress 'Passed on to `docker compose`'
            cand --parallel 'Passed on to `docker compose`'
            cand --preset 'Preset name or path (default: $HARDEN_PRESET, else .harden.yaml, else `default`)'
            cand --allow 'Waive a rule for this invocation (repeatable)'
            cand --color 'When to use colours (NO_COLOR is honoured with `auto`)'
            cand --compatibility 'Passed on to `docker compose`'
            cand --dry-run 'Passed on to `docker compose`'
            cand --trust-project 'Accept, for this command, a project .harden.yaml that weakens the policy (also HARDEN_TRUST_PROJECT=1); `harden trust` accepts it until it changes'
        }
        &'harden;compose;up'= {
            cand -f 'Compose file (repeatable; default: as `docker compose` finds them, or $COMPOSE_FILE)'
            cand --file 'Compose file (repeatable; default: as `docker compose` finds them, or $COMPOSE_FILE)'
            cand -p 'Project name (default: $COMPOSE_PROJECT_NAME, else `name:`, else the directory''s name)'
            cand --project-name 'Project name (default: $COMPOSE_PROJECT_NAME, else `name:`, else the directory''s name)'
            cand --project-directory 'The project directory (default: the first file''s directory)'
            cand --env-file 'Variables file(s) instead of the project''s `.env` (repeatable)'
            cand --profile 'Profile to enable for `docker compose` (repeatable; harden lints every service anyway)'
            cand --ansi 'Passed on to `docker compose`'
            cand --progress 'Passed on to `docker compose`'
            cand --parallel 'Passed on to `docker compose`'
            cand --preset 'Preset name or path (default: $HARDEN_PRESET, else .harden.yaml, else `default`)'
            cand --allow 'Waive a rule for this invocation (repeatable)'
            cand --color 'When to use colours (NO_COLOR is honoured with `auto`)'
            cand --compatibility 'Passed on to `docker compose`'
            cand --dry-run 'Passed on to `docker compose`'
            cand --trust-project 'Accept, for this command, a project .harden.yaml that weakens the policy (also HARDEN_TRUST_PROJECT=1); `harden trust` accepts it until it changes'
        }
        &'harden;compose;run'= {
            cand -f 'Compose file (repeatable; default: as `docker compose` finds them, or $COMPOSE_FILE)'
            cand --file 'Compose file (repeatable; default: as `docker compose` finds them, or $COMPOSE_FILE)'
            cand -p 'Project name (default: $COMPOSE_PROJECT_NAME, else `name:`, else the directory''s name)'
            cand --project-name 'Project name (default: $COMPOSE_PROJECT_NAME, else `name:`, else the directory''s name)'
            cand --project-directory 'The project directory (default: the first file''s directory)'
            cand --env-file 'Variables file(s) instead of the project''s `.env` (repeatable)'
            cand --profile 'Profile to enable for `docker compose` (repeatable; harden lints every service anyway)'
            cand --ansi 'Passed on to `docker compose`'
            cand --progress 'Passed on to `docker compose`'
            cand --parallel 'Passed on to `docker compose`'
            cand --preset 'Preset name or path (default: $HARDEN_PRESET, else .harden.yaml, else `default`)'
            cand --allow 'Waive a rule for this invocation (repeatable)'
            cand --color 'When to use colours (NO_COLOR is honoured with `auto`)'
            cand --compatibility 'Passed on to `docker compose`'
            cand --dry-run 'Passed on to `docker compose`'
            cand --trust-project 'Accept, for this command, a project .harden.yaml that weakens the policy (also HARDEN_TRUST_PROJECT=1); `harden trust` accepts it until it changes'
        }
        &'harden;compose;create'= {
            cand -f 'Compose file (repeatable; default: as `docker compose` finds them, or $COMPOSE_FILE)'
            cand --file 'Compose file (repeatable; default: as `docker compose` finds them, or $COMPOSE_FILE)'
            cand -p 'Project name (default: $COMPOSE_PROJECT_NAME, else `name:`, else the directory''s name)'
            cand --project-name 'Project name (default: $COMPOSE_PROJECT_NAME, else `name:`, else the directory''s name)'
            cand --project-directory 'The project directory (default: the first file''s directory)'
            cand --env-file 'Variables file(s) instead of the project''s `.env` (repeatable)'
            cand --profile 'Profile to enable for `docker compose` (repeatable; harden lints every service anyway)'
            cand --ansi 'Passed on to `docker compose`'
            cand --progress 'Passed on to `docker compose`'
            cand --parallel 'Passed on to `docker compose`'
            cand --preset 'Preset name or path (default: $HARDEN_PRESET, else .harden.yaml, else `default`)'
            cand --allow 'Waive a rule for this invocation (repeatable)'
            cand --color 'When to use colours (NO_COLOR is honoured with `auto`)'
            cand --compatibility 'Passed on to `docker compose`'
            cand --dry-run 'Passed on to `docker compose`'
            cand --trust-project 'Accept, for this command, a project .harden.yaml that weakens the policy (also HARDEN_TRUST_PROJECT=1); `harden trust` accepts it until it changes'
        }
        &'harden;compose;help'= {
            cand lint 'Report what the rules find, per service, with file:line:column'
            cand fix 'Rewrite the files with every fixable rule, keeping comments and style'
            cand config 'Print the hardened project: `docker compose config ARGS` on it (Compose v2), else harden''s own rendering'
            cand up 'Harden, then `docker compose up` with ARGS (refused when a deny rule fires)'
            cand run 'Harden, then `docker compose run` with ARGS'
            cand create 'Harden, then `docker compose create` with ARGS'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'harden;compose;help;lint'= {
        }
        &'harden;compose;help;fix'= {
        }
        &'harden;compose;help;config'= {
        }
        &'harden;compose;help;up'= {
        }
        &'harden;compose;help;run'= {
        }
        &'harden;compose;help;create'= {
        }
        &'harden;compose;help;help'= {
        }
        &'harden;stack'= {
            cand --color 'When to use colours (NO_COLOR is honoured with `auto`)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand deploy 'Harden a Compose project for Swarm, then `docker stack deploy` it'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'harden;stack;deploy'= {
            cand -c 'Compose file (repeatable)'
            cand --compose-file 'Compose file (repeatable)'
            cand --preset 'Preset name or path (default: $HARDEN_PRESET, else .harden.yaml, else `default`)'
            cand --allow 'Waive a rule for this invocation (repeatable)'
            cand --resolve-image 'Passed on: query the registry to resolve image digests (always, changed, never)'
            cand -d 'Passed on: exit immediately instead of waiting for the services to converge'
            cand --detach 'Passed on: exit immediately instead of waiting for the services to converge'
            cand --color 'When to use colours (NO_COLOR is honoured with `auto`)'
            cand --prune 'Passed on: prune services that are no longer referenced'
            cand --with-registry-auth 'Passed on: send registry authentication details to Swarm agents'
            cand -q 'Passed on: suppress progress output'
            cand --quiet 'Passed on: suppress progress output'
            cand --dry-run 'Print the hardened stack file instead of deploying it'
            cand --trust-project 'Accept, for this command, a project .harden.yaml that weakens the policy'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'harden;stack;help'= {
            cand deploy 'Harden a Compose project for Swarm, then `docker stack deploy` it'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'harden;stack;help;deploy'= {
        }
        &'harden;stack;help;help'= {
        }
        &'harden;audit'= {
            cand --format 'Output format'
            cand --fail-on 'Exit 1 when a finding at or above this severity is left'
            cand --preset 'Preset name or path (default: $HARDEN_PRESET, else .harden.yaml, else `default`)'
            cand --allow 'Waive a rule for this invocation (repeatable)'
            cand --color 'When to use colours (NO_COLOR is honoured with `auto`)'
            cand -a 'Audit every container, stopped ones too'
            cand --all 'Audit every container, stopped ones too'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'harden;proxy'= {
            cand --listen 'Where clients connect: unix:///PATH (socket mode 0660), tcp://127.0.0.1:PORT, or fd:// (the socket systemd passes)'
            cand --upstream 'The Docker daemon to forward to (default: found as the Docker CLI finds it: DOCKER_HOST, DOCKER_CONTEXT, the current context; TLS and ssh:// included)'
            cand --mode 'enforce: fix and refuse; warn: fix, never refuse (refusals become warnings); audit: forward unchanged, log what would change'
            cand --preset 'Preset name or path (default: $HARDEN_PRESET, else `default`; the machine and user policies apply as for every command; no working directory''s .harden.yaml is read)'
            cand --log 'Write the decision log (one JSON object a line) to FILE instead of stderr'
            cand --color 'When to use colours (NO_COLOR is honoured with `auto`)'
            cand --allow-remote 'Allow --listen on a TCP address that is not loopback. Whoever reaches it controls the Docker engine: there is no TLS and no authentication'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'harden;man'= {
            cand --color 'When to use colours (NO_COLOR is honoured with `auto`)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'harden;trust'= {
            cand --color 'When to use colours (NO_COLOR is honoured with `auto`)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'harden;presets'= {
            cand --color 'When to use colours (NO_COLOR is honoured with `auto`)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand list 'List the built-in presets and the team file in effect'
            cand show 'Print a preset with `extends` resolved (a built-in name, a path, or the preset in effect)'
            cand schema 'Print a JSON Schema of the preset format (for editors: yaml-language-server)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'harden;presets;list'= {
            cand --color 'When to use colours (NO_COLOR is honoured with `auto`)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'harden;presets;show'= {
            cand --color 'When to use colours (NO_COLOR is honoured with `auto`)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'harden;presets;schema'= {
            cand --color 'When to use colours (NO_COLOR is honoured with `auto`)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'harden;presets;help'= {
            cand list 'List the built-in presets and the team file in effect'
            cand show 'Print a preset with `extends` resolved (a built-in name, a path, or the preset in effect)'
            cand schema 'Print a JSON Schema of the preset format (for editors: yaml-language-server)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'harden;presets;help;list'= {
        }
        &'harden;presets;help;show'= {
        }
        &'harden;presets;help;schema'= {
        }
        &'harden;presets;help;help'= {
        }
        &'harden;run'= {
            cand --add-host 'Add a custom host-to-IP mapping (host:ip)'
            cand -a 'Attach to STDIN, STDOUT or STDERR'
            cand --attach 'Attach to STDIN, STDOUT or STDERR'
            cand --blkio-weight 'Block IO (relative weight), between 10 and 1000, or 0 to disable (default 0)'
            cand --blkio-weight-device 'Block IO weight (relative device weight)'
            cand --cap-add 'Add Linux capabilities'
            cand --cap-drop 'Drop Linux capabilities'
            cand --cgroup-parent 'Optional parent cgroup for the container'
            cand --cgroupns 'Cgroup namespace to use (host|private) ''host'':    Run the container in the Docker host''s cgroup namespace ''private'': Run the container in its own private cgroup namespace '''':        Use the cgroup namespace as configured by the            default-cgroupns-mode option on the daemon (default)'
            cand --cidfile 'Write the container ID to the file'
            cand --cpu-period 'Limit CPU CFS (Completely Fair Scheduler) period'
            cand --cpu-quota 'Limit CPU CFS (Completely Fair Scheduler) quota'
            cand --cpu-rt-period 'Limit CPU real-time period in microseconds'
            cand --cpu-rt-runtime 'Limit CPU real-time runtime in microseconds'
            cand -c 'CPU shares (relative weight)'
            cand --cpu-shares 'CPU shares (relative weight)'
            cand --cpus 'Number of CPUs'
            cand --cpuset-cpus 'CPUs in which to allow execution (0-3, 0,1)'
            cand --cpuset-mems 'MEMs in which to allow execution (0-3, 0,1)'
            cand --detach-keys 'Override the key sequence for detaching a container'
            cand --device 'Add a host device to the container'
            cand --device-cgroup-rule 'Add a rule to the cgroup allowed devices list'
            cand --device-read-bps 'Limit read rate (bytes per second) from a device'
            cand --device-read-iops 'Limit read rate (IO per second) from a device'
            cand --device-write-bps 'Limit write rate (bytes per second) to a device'
            cand --device-write-iops 'Limit write rate (IO per second) to a device'
            cand --dns 'Set custom DNS servers'
            cand --dns-option 'Set DNS options'
            cand --dns-search 'Set custom DNS search domains'
            cand --domainname 'Container NIS domain name'
            cand --entrypoint 'Overwrite the default ENTRYPOINT of the image'
            cand -e 'Set environment variables'
            cand --env 'Set environment variables'
            cand --env-file 'Read in a file of environment variables'
            cand --expose 'Expose a port or a range of ports'
            cand --gpus 'GPU devices to add to the container (''all'' to pass all GPUs)'
            cand --group-add 'Add additional groups to join'
            cand --health-cmd 'Command to run to check health'
            cand --health-interval 'Time between running the check (ms|s|m|h) (default 0s)'
            cand --health-retries 'Consecutive failures needed to report unhealthy'
            cand --health-start-period 'Start period for the container to initialize before starting health-retries countdown (ms|s|m|h) (default 0s)'
            cand --health-timeout 'Maximum time to allow one check to run (ms|s|m|h) (default 0s)'
            cand -h 'Container host name'
            cand --hostname 'Container host name'
            cand --ip 'IPv4 address (e.g., 172.30.100.104)'
            cand --ip6 'IPv6 address (e.g., 2001:db8::33)'
            cand --ipc 'IPC mode to use'
            cand --isolation 'Container isolation technology'
            cand --kernel-memory 'Kernel memory limit'
            cand -l 'Set meta data on a container'
            cand --label 'Set meta data on a container'
            cand --label-file 'Read in a line delimited file of labels'
            cand --link 'Add link to another container'
            cand --link-local-ip 'Container IPv4/IPv6 link-local addresses'
            cand --log-driver 'Logging driver for the container'
            cand --log-opt 'Log driver options'
            cand --mac-address 'Container MAC address (e.g., 92:d0:c6:0a:29:33)'
            cand -m 'Memory limit'
            cand --memory 'Memory limit'
            cand --memory-reservation 'Memory soft limit'
            cand --memory-swap 'Swap limit equal to memory plus swap: ''-1'' to enable unlimited swap'
            cand --memory-swappiness 'Tune container memory swappiness (0 to 100)'
            cand --mount 'Attach a filesystem mount to the container'
            cand --name 'Assign a name to the container'
            cand --network 'Connect a container to a network'
            cand --network-alias 'Add network-scoped alias for the container'
            cand --oom-score-adj 'Tune host''s OOM preferences (-1000 to 1000)'
            cand --pid 'PID namespace to use'
            cand --pids-limit 'Tune container pids limit (set -1 for unlimited)'
            cand --platform 'Set platform if server is multi-platform capable'
            cand -p 'Publish a container''s port(s) to the host'
            cand --publish 'Publish a container''s port(s) to the host'
            cand --pull 'Pull image before running ("always", "missing", "never")'
            cand --restart 'Restart policy to apply when a container exits'
            cand --runtime 'Runtime to use for this container'
            cand --security-opt 'Security Options'
            cand --shm-size 'Size of /dev/shm'
            cand --stop-signal 'Signal to stop the container'
            cand --stop-timeout 'Timeout (in seconds) to stop a container'
            cand --storage-opt 'Storage driver options for the container'
            cand --sysctl 'Sysctl options'
            cand --tmpfs 'Mount a tmpfs directory'
            cand --ulimit 'Ulimit options'
            cand -u 'Username or UID (format: <name|uid>[:<group|gid>])'
            cand --user 'Username or UID (format: <name|uid>[:<group|gid>])'
            cand --userns 'User namespace to use'
            cand --uts 'UTS namespace to use'
            cand -v 'Bind mount a volume'
            cand --volume 'Bind mount a volume'
            cand --volume-driver 'Optional volume driver for the container'
            cand --volumes-from 'Mount volumes from the specified container(s)'
            cand -w 'Working directory inside the container'
            cand --workdir 'Working directory inside the container'
            cand --allow 'Allow what a rule would refuse or change (rule id; repeatable)'
            cand --format 'Output format of --dry-run: the command line, or JSON with the create body (text|json)'
            cand --preset 'Hardening preset: a built-in name or a preset file'
            cand --watch 'With -d, watch the container this long and explain a failure (default 2s; 0: off)'
            cand --color 'When to use colours (NO_COLOR is honoured with `auto`)'
            cand -d 'Run container in background and print container ID'
            cand --detach 'Run container in background and print container ID'
            cand --disable-content-trust 'Skip image verification'
            cand --init 'Run an init inside the container that forwards signals and reaps processes'
            cand -i 'Keep STDIN open even if not attached'
            cand --interactive 'Keep STDIN open even if not attached'
            cand --no-healthcheck 'Disable any container-specified HEALTHCHECK'
            cand --oom-kill-disable 'Disable OOM Killer'
            cand --privileged 'Give extended privileges to this container'
            cand -P 'Publish all exposed ports to random ports'
            cand --publish-all 'Publish all exposed ports to random ports'
            cand -q 'Suppress the pull output'
            cand --quiet 'Suppress the pull output'
            cand --read-only 'Mount the container''s root filesystem as read only'
            cand --rm 'Automatically remove the container and its associated anonymous volumes when it exits'
            cand --sig-proxy 'Proxy received signals to the process'
            cand -t 'Allocate a pseudo-TTY'
            cand --tty 'Allocate a pseudo-TTY'
            cand --use-api-socket 'Bind mount Docker API socket and required auth'
            cand --dry-run 'Print the hardened command and create body; run nothing'
            cand --explain 'Explain every change harden makes'
            cand --no-harden 'Run exactly as docker would, without hardening'
            cand --review 'Ask about each change (accept, skip, explain, quit) before applying it'
            cand --trust-project 'Accept, for this command, a project .harden.yaml that weakens the policy'
            cand --help 'Print usage'
        }
        &'harden;create'= {
            cand --add-host 'Add a custom host-to-IP mapping (host:ip)'
            cand -a 'Attach to STDIN, STDOUT or STDERR'
            cand --attach 'Attach to STDIN, STDOUT or STDERR'
            cand --blkio-weight 'Block IO (relative weight), between 10 and 1000, or 0 to disable (default 0)'
            cand --blkio-weight-device 'Block IO weight (relative device weight)'
            cand --cap-add 'Add Linux capabilities'
            cand --cap-drop 'Drop Linux capabilities'
            cand --cgroup-parent 'Optional parent cgroup for the container'
            cand --cgroupns 'Cgroup namespace to use (host|private) ''host'':    Run the container in the Docker host''s cgroup namespace ''private'': Run the container in its own private cgroup namespace '''':        Use the cgroup namespace as configured by the            default-cgroupns-mode option on the daemon (default)'
            cand --cidfile 'Write the container ID to the file'
            cand --cpu-period 'Limit CPU CFS (Completely Fair Scheduler) period'
            cand --cpu-quota 'Limit CPU CFS (Completely Fair Scheduler) quota'
            cand --cpu-rt-period 'Limit CPU real-time period in microseconds'
            cand --cpu-rt-runtime 'Limit CPU real-time runtime in microseconds'
            cand -c 'CPU shares (relative weight)'
            cand --cpu-shares 'CPU shares (relative weight)'
            cand --cpus 'Number of CPUs'
            cand --cpuset-cpus 'CPUs in which to allow execution (0-3, 0,1)'
            cand --cpuset-mems 'MEMs in which to allow execution (0-3, 0,1)'
            cand --detach-keys 'Override the key sequence for detaching a container'
            cand --device 'Add a host device to the container'
            cand --device-cgroup-rule 'Add a rule to the cgroup allowed devices list'
            cand --device-read-bps 'Limit read rate (bytes per second) from a device'
            cand --device-read-iops 'Limit read rate (IO per second) from a device'
            cand --device-write-bps 'Limit write rate (bytes per second) to a device'
            cand --device-write-iops 'Limit write rate (IO per second) to a device'
            cand --dns 'Set custom DNS servers'
            cand --dns-option 'Set DNS options'
            cand --dns-search 'Set custom DNS search domains'
            cand --domainname 'Container NIS domain name'
            cand --entrypoint 'Overwrite the default ENTRYPOINT of the image'
            cand -e 'Set environment variables'
            cand --env 'Set environment variables'
            cand --env-file 'Read in a file of environment variables'
            cand --expose 'Expose a port or a range of ports'
            cand --gpus 'GPU devices to add to the container (''all'' to pass all GPUs)'
            cand --group-add 'Add additional groups to join'
            cand --health-cmd 'Command to run to check health'
            cand --health-interval 'Time between running the check (ms|s|m|h) (default 0s)'
            cand --health-retries 'Consecutive failures needed to report unhealthy'
            cand --health-start-period 'Start period for the container to initialize before starting health-retries countdown (ms|s|m|h) (default 0s)'
            cand --health-timeout 'Maximum time to allow one check to run (ms|s|m|h) (default 0s)'
            cand -h 'Container host name'
            cand --hostname 'Container host name'
            cand --ip 'IPv4 address (e.g., 172.30.100.104)'
            cand --ip6 'IPv6 address (e.g., 2001:db8::33)'
            cand --ipc 'IPC mode to use'
            cand --isolation 'Container isolation technology'
            cand --kernel-memory 'Kernel memory limit'
            cand -l 'Set meta data on a container'
            cand --label 'Set meta data on a container'
            cand --label-file 'Read in a line delimited file of labels'
            cand --link 'Add link to another container'
            cand --link-local-ip 'Container IPv4/IPv6 link-local addresses'
            cand --log-driver 'Logging driver for the container'
            cand --log-opt 'Log driver options'
            cand --mac-address 'Container MAC address (e.g., 92:d0:c6:0a:29:33)'
            cand -m 'Memory limit'
            cand --memory 'Memory limit'
            cand --memory-reservation 'Memory soft limit'
            cand --memory-swap 'Swap limit equal to memory plus swap: ''-1'' to enable unlimited swap'
            cand --memory-swappiness 'Tune container memory swappiness (0 to 100)'
            cand --mount 'Attach a filesystem mount to the container'
            cand --name 'Assign a name to the container'
            cand --network 'Connect a container to a network'
            cand --network-alias 'Add network-scoped alias for the container'
            cand --oom-score-adj 'Tune host''s OOM preferences (-1000 to 1000)'
            cand --pid 'PID namespace to use'
            cand --pids-limit 'Tune container pids limit (set -1 for unlimited)'
            cand --platform 'Set platform if server is multi-platform capable'
            cand -p 'Publish a container''s port(s) to the host'
            cand --publish 'Publish a container''s port(s) to the host'
            cand --pull 'Pull image before running ("always", "missing", "never")'
            cand --restart 'Restart policy to apply when a container exits'
            cand --runtime 'Runtime to use for this container'
            cand --security-opt 'Security Options'
            cand --shm-size 'Size of /dev/shm'
            cand --stop-signal 'Signal to stop the container'
            cand --stop-timeout 'Timeout (in seconds) to stop a container'
            cand --storage-opt 'Storage driver options for the container'
            cand --sysctl 'Sysctl options'
            cand --tmpfs 'Mount a tmpfs directory'
            cand --ulimit 'Ulimit options'
            cand -u 'Username or UID (format: <name|uid>[:<group|gid>])'
            cand --user 'Username or UID (format: <name|uid>[:<group|gid>])'
            cand --userns 'User namespace to use'
            cand --uts 'UTS namespace to use'
            cand -v 'Bind mount a volume'
            cand --volume 'Bind mount a volume'
            cand --volume-driver 'Optional volume driver for the container'
            cand --volumes-from 'Mount volumes from the specified container(s)'
            cand -w 'Working directory inside the container'
            cand --workdir 'Working directory inside the container'
            cand --allow 'Allow what a rule would refuse or change (rule id; repeatable)'
            cand --format 'Output format of --dry-run: the command line, or JSON with the create body (text|json)'
            cand --preset 'Hardening preset: a built-in name or a preset file'
            cand --watch 'With -d, watch the container this long and explain a failure (default 2s; 0: off)'
            cand --color 'When to use colours (NO_COLOR is honoured with `auto`)'
            cand -d 'Run container in background and print container ID'
            cand --detach 'Run container in background and print container ID'
            cand --disable-content-trust 'Skip image verification'
            cand --init 'Run an init inside the container that forwards signals and reaps processes'
            cand -i 'Keep STDIN open even if not attached'
            cand --interactive 'Keep STDIN open even if not attached'
            cand --no-healthcheck 'Disable any container-specified HEALTHCHECK'
            cand --oom-kill-disable 'Disable OOM Killer'
            cand --privileged 'Give extended privileges to this container'
            cand -P 'Publish all exposed ports to random ports'
            cand --publish-all 'Publish all exposed ports to random ports'
            cand -q 'Suppress the pull output'
            cand --quiet 'Suppress the pull output'
            cand --read-only 'Mount the container''s root filesystem as read only'
            cand --rm 'Automatically remove the container and its associated anonymous volumes when it exits'
            cand --sig-proxy 'Proxy received signals to the process'
            cand -t 'Allocate a pseudo-TTY'
            cand --tty 'Allocate a pseudo-TTY'
            cand --use-api-socket 'Bind mount Docker API socket and required auth'
            cand --dry-run 'Print the hardened command and create body; run nothing'
            cand --explain 'Explain every change harden makes'
            cand --no-harden 'Run exactly as docker would, without hardening'
            cand --review 'Ask about each change (accept, skip, explain, quit) before applying it'
            cand --trust-project 'Accept, for this command, a project .harden.yaml that weakens the policy'
            cand --help 'Print usage'
        }
        &'harden;help'= {
            cand learn 'Find what an image needs to work hardened, by trial runs, and write its profile'
            cand rules 'List the rules'
            cand explain 'Explain a rule: why it matters, an example, its fix, how to waive it, references'
            cand completions 'Print a shell completion script (bash, zsh, fish, powershell, elvish)'
            cand compose 'Lint, fix, print or bring up a Docker Compose project with the same rules'
            cand stack 'Deploy a Compose project to Swarm, hardened: `harden stack deploy -c FILE STACK`'
            cand audit 'Check running containers (or all with --all) against the rules and the preset'
            cand proxy 'Serve the Engine API to every client (Compose, CI runners, SDKs) with the doors to privilege judged: `harden proxy --listen unix:///run/harden/docker.sock`'
            cand man 'Print the man page (roff): `harden man | man -l -`'
            cand trust 'Trust a project''s .harden.yaml as it is now (needed when it weakens the policy)'
            cand presets 'List the presets, or show one resolved'
            cand run 'Harden, create, start and attach a container: accepts every `docker run` flag'
            cand create 'Harden and create a container without starting it (drop-in for `docker create`)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'harden;help;learn'= {
        }
        &'harden;help;rules'= {
        }
        &'harden;help;explain'= {
        }
        &'harden;help;completions'= {
        }
        &'harden;help;compose'= {
            cand lint 'Report what the rules find, per service, with file:line:column'
            cand fix 'Rewrite the files with every fixable rule, keeping comments and style'
            cand config 'Print the hardened project: `docker compose config ARGS` on it (Compose v2), else harden''s own rendering'
            cand up 'Harden, then `docker compose up` with ARGS (refused when a deny rule fires)'
            cand run 'Harden, then `docker compose run` with ARGS'
            cand create 'Harden, then `docker compose create` with ARGS'
        }
        &'harden;help;compose;lint'= {
        }
        &'harden;help;compose;fix'= {
        }
        &'harden;help;compose;config'= {
        }
        &'harden;help;compose;up'= {
        }
        &'harden;help;compose;run'= {
        }
        &'harden;help;compose;create'= {
        }
        &'harden;help;stack'= {
            cand deploy 'Harden a Compose project for Swarm, then `docker stack deploy` it'
        }
        &'harden;help;stack;deploy'= {
        }
        &'harden;help;audit'= {
        }
        &'harden;help;proxy'= {
        }
        &'harden;help;man'= {
        }
        &'harden;help;trust'= {
        }
        &'harden;help;presets'= {
            cand list 'List the built-in presets and the team file in effect'
            cand show 'Print a preset with `extends` resolved (a built-in name, a path, or the preset in effect)'
            cand schema 'Print a JSON Schema of the preset format (for editors: yaml-language-server)'
        }
        &'harden;help;presets;list'= {
        }
        &'harden;help;presets;show'= {
        }
        &'harden;help;presets;schema'= {
        }
        &'harden;help;run'= {
        }
        &'harden;help;create'= {
        }
        &'harden;help;help'= {
        }
    ]
    $completions[$command]
}
