# bash completion for ktftpctl(8).
# The key lists come from kernel/params.h, like every view of a setting.

# BEGIN generated: keys (scripts/gen-settings; do not edit)
_ktftpctl_keys="root listen allow deny port_range port timeout retries
	max_sessions max_sessions_per_client drain_timeout blksize_max
	windowsize_max allow_write create create_mode sync_uploads
	max_write_size rate_limit user group require_world_readable
	timeout_max handshake_timeout sockbuf_max backslash_to_slash
	strip_slashes case_insensitive unique_root blksize_fit_mtu
	window_bytes_max refuse_blksize refuse_tsize refuse_timeout
	refuse_windowsize single_port"
_ktftpctl_bool_keys="allow_write create sync_uploads require_world_readable
	backslash_to_slash strip_slashes case_insensitive
	blksize_fit_mtu refuse_blksize refuse_tsize refuse_timeout
	refuse_windowsize single_port"
# END generated: keys

# Whether option $1 is --KEY for a key in the list $2.
_ktftpctl_is_key_option()
{
	local k
	for k in $2; do
		[[ $1 == --${k//_/-} ]] && return 0
	done
	return 1
}

# Offer the words of $1 that complete the current word (mapfile: no
# word splitting or globbing of what compgen prints).
_ktftpctl_offer()
{
	mapfile -t COMPREPLY < <(compgen -W "$1" -- "$cur")
}

_ktftpctl()
{
	local cur prev words cword
	_init_completion || return

	local globals="--json -j --pretty -p --netns -n --help -h --version"
	local commands="start stop status stats sessions monitor config rewrite version"

	# The subcommand (and config's or rewrite's own), skipping global options.
	local i cmd="" sub=""
	for ((i = 1; i < cword; i++)); do
		case ${words[i]} in
		--netns | -n) ((i++)) ;;	# and its value
		-*) ;;
		*)
			if [[ -z $cmd ]]; then
				cmd=${words[i]}
			elif [[ $cmd == config || $cmd == rewrite ]] && [[ -z $sub ]]; then
				sub=${words[i]}
			fi
			;;
		esac
	done

	case $prev in
	--netns | -n)
		# ip netns's names, or a path.
		_ktftpctl_offer "$(ls /run/netns 2>/dev/null)"
		[[ $cur == */* ]] && _filedir
		return
		;;
	--config | -c)
		_filedir json
		return
		;;
	--map-file | --output | -o)
		_filedir
		return
		;;
	--from)
		_ktftpctl_offer "tftpd-hpa dnsmasq"
		return
		;;
	--unique-root)
		# unique_root's words (KTFTPD_KIND_CHOICE in kernel/params.h).
		_ktftpctl_offer "off ip mac"
		return
		;;
	--root)
		_filedir -d
		return
		;;
	--format | -f)
		_ktftpctl_offer "text json prometheus"
		return
		;;
	--drain | -d | --watch | -w | --client)
		return
		;;
	esac
	if _ktftpctl_is_key_option "$prev" "$_ktftpctl_bool_keys"; then
		_ktftpctl_offer "true false"
		return
	elif _ktftpctl_is_key_option "$prev" "$_ktftpctl_keys"; then
		return	# a value: nothing to offer
	fi

	case $cmd in
	"")
		_ktftpctl_offer "$globals $commands"
		;;
	start)
		local k opts="--config -c --help"
		for k in $_ktftpctl_keys; do
			opts+=" --${k//_/-}"
		done
		_ktftpctl_offer "$opts"
		;;
	stop)
		_ktftpctl_offer "--drain --help"
		;;
	stats)
		_ktftpctl_offer "--watch --format --netns-label --output --help"
		;;
	status | sessions | monitor | version)
		_ktftpctl_offer "--help"
		;;
	config)
		case $sub in
		"")
			_ktftpctl_offer "show set apply import --help"
			;;
		import)
			if [[ $cur == -* ]]; then
				_ktftpctl_offer "--from --map-file --help"
			else
				_filedir
			fi
			;;
		apply)
			if [[ $cur == -* ]]; then
				_ktftpctl_offer "--check --help"
			else
				_filedir json
			fi
			;;
		set)
			compopt -o nospace
			mapfile -t COMPREPLY < <(compgen -S = -W "$_ktftpctl_keys" -- "$cur")
			[[ $cur == *=* ]] && compopt +o nospace && COMPREPLY=()
			;;
		esac
		;;
	rewrite)
		case $sub in
		"")
			_ktftpctl_offer "test --help"
			;;
		test)
			# NAME is a name as a client asks for it, not a local file.
			[[ $cur == -* ]] && _ktftpctl_offer "--client --help"
			;;
		esac
		;;
	esac
} &&
	complete -F _ktftpctl ktftpctl
