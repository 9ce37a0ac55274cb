# bash completion for ktftpctl(8).
# The config keys are listed here; the host tests check them against
# ktftpctl's own list, so a new key cannot be forgotten.

_ktftpctl_keys="root listen port timeout retries max_sessions
	max_sessions_per_client drain_timeout blksize_max windowsize_max
	allow_write create create_mode max_write_size rate_limit user group
	require_world_readable timeout_max handshake_timeout sockbuf_max"

_ktftpctl()
{
	local cur prev words cword
	_init_completion || return

	local globals="--json -j --pretty -p --help -h --version"
	local commands="start stop status stats sessions monitor config version"

	# The subcommand (and config's own subcommand), skipping global options.
	local i cmd="" sub=""
	for ((i = 1; i < cword; i++)); do
		case ${words[i]} in
		-*) ;;
		*)
			if [[ -z $cmd ]]; then
				cmd=${words[i]}
			elif [[ $cmd == config && -z $sub ]]; then
				sub=${words[i]}
			fi
			;;
		esac
	done

	case $prev in
	--config | -c)
		_filedir json
		return
		;;
	--root)
		_filedir -d
		return
		;;
	--format | -f)
		COMPREPLY=($(compgen -W "text json prometheus" -- "$cur"))
		return
		;;
	--allow-write | --create)
		COMPREPLY=($(compgen -W "true false" -- "$cur"))
		return
		;;
	--drain | -d | --watch | -w | --port | --listen | --timeout | --retries | \
		--max-sessions | --max-sessions-per-client | --drain-timeout | \
		--blksize-max | --windowsize-max | --create-mode | --max-write-size)
		return
		;;
	esac

	case $cmd in
	"")
		COMPREPLY=($(compgen -W "$globals $commands" -- "$cur"))
		;;
	start)
		local k opts="--config -c --help"
		for k in $_ktftpctl_keys; do
			opts+=" --${k//_/-}"
		done
		COMPREPLY=($(compgen -W "$opts" -- "$cur"))
		;;
	stop)
		COMPREPLY=($(compgen -W "--drain --help" -- "$cur"))
		;;
	stats)
		COMPREPLY=($(compgen -W "--watch --format --help" -- "$cur"))
		;;
	status | sessions | monitor | version)
		COMPREPLY=($(compgen -W "--help" -- "$cur"))
		;;
	config)
		case $sub in
		"")
			COMPREPLY=($(compgen -W "show set apply --help" -- "$cur"))
			;;
		apply)
			if [[ $cur == -* ]]; then
				COMPREPLY=($(compgen -W "--check --help" -- "$cur"))
			else
				_filedir json
			fi
			;;
		set)
			compopt -o nospace
			COMPREPLY=($(compgen -S = -W "$_ktftpctl_keys" -- "$cur"))
			[[ $cur == *=* ]] && compopt +o nospace && COMPREPLY=()
			;;
		esac
		;;
	esac
} &&
	complete -F _ktftpctl ktftpctl
