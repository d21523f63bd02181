/* The offline planner's curated catalogue: common requests and the Alpine packages that answer them. */
/* SPDX-License-Identifier: MIT */
#include "ai/catalog.h"

/*
 * Longer phrases win over shorter ones that share their words ("dns
 * server" over "dns"), so a specific intent may list a phrase that
 * contains a general one.  Filler words ("a", "need", "lightweight") are
 * dropped from phrases and requests alike before matching; plurals match
 * singulars.  Package names are Alpine's (main and community).
 */
static const struct aipkg_intent catalog[] = {
	/* serving */
	{ "web server", "web server|webserver|http server|httpd|serve web pages|serve website|"
	  "host website|static site|website|web hosting|static files|serve files|"
	  "serve static files|host web pages", "nginx|lighttpd|apache2" },
	{ "Apache web server", "apache|apache2|apache web server|apache httpd", "apache2" },
	{ "reverse proxy", "reverse proxy|proxy server|tls termination", "nginx|haproxy|caddy" },
	{ "load balancer", "load balancer|load balancing|haproxy", "haproxy|nginx" },
	{ "caching HTTP proxy", "forward proxy|http proxy|caching proxy|squid", "squid" },
	{ "HTTP cache", "varnish|http cache|web cache", "varnish" },
	{ "Caddy web server", "caddy|automatic https", "caddy" },
	{ "TLS certificates from Let's Encrypt", "letsencrypt|let's encrypt|certbot|acme|"
	  "tls certificate|ssl certificate|https certificate|certificate website|"
	  "certificate domain|https website|tls website", "certbot|acme.sh|acme-client" },
	{ "CA certificates", "ca certificates|ca-certificates|root certificates",
	  "ca-certificates" },
	{ "OpenSSL command line", "openssl|tls tools|ssl tools", "openssl" },
	/* databases */
	{ "SQL database", "database|sql database|relational database|database server|db server|"
	  "sql server|rdbms", "postgresql|postgresql17|postgresql16|postgresql15|mariadb" },
	{ "PostgreSQL database", "postgres|postgresql|pgsql|psql",
	  "postgresql|postgresql17|postgresql16|postgresql15" },
	{ "MariaDB/MySQL database", "mysql|mariadb|mysql server|mysql database",
	  "mariadb mariadb-client" },
	{ "MariaDB/MySQL client", "mysql client|mariadb client|mysql cli|mysql command line|"
	  "mysql shell|connect mysql", "mariadb-client" },
	{ "SQLite database", "sqlite|sqlite3|embedded database|file database", "sqlite" },
	{ "Redis key-value store", "redis|key value store|key-value store|in memory cache|"
	  "in-memory cache|cache server", "redis|valkey" },
	{ "Memcached", "memcached|memcache", "memcached" },
	/* rabbitmq-server is in community from 3.19 (testing before): NATS elsewhere */
	{ "message broker", "message queue|message broker|rabbitmq|amqp|queue server|job queue",
	  "rabbitmq-server|nats-server" },
	{ "MQTT broker", "mqtt|mosquitto|mqtt broker", "mosquitto" },
	/* development */
	{ "Python development", "python|python3|python development|python dev|pip|"
	  "python environment", "python3 py3-pip" },
	{ "Node.js development", "node|nodejs|node.js|javascript|npm|js development|typescript",
	  "nodejs npm" },
	{ "Go development", "golang|go development|go language|go programming|go compiler|"
	  "go toolchain|go lang", "go" },
	{ "Rust development", "rust|cargo|rust development|rustc|rust toolchain", "rust cargo" },
	{ "C/C++ development", "c development|c compiler|compiler|gcc|build tools|build essential|"
	  "build-essential|build-base|c++|cpp|toolchain|compile|c programming|c++ development|"
	  "compile c|build c|c programs|c code|compile code|build software from source",
	  "build-base" },
	{ "Clang/LLVM", "clang|llvm", "clang" },
	{ "Java development", "java|jdk|openjdk|jvm|java development",
	  "openjdk21|openjdk17|openjdk11|openjdk8" },
	{ "Ruby", "ruby|rubygems|ruby development", "ruby" },
	{ "PHP", "php|php development", "php83|php82|php81|php" },
	{ "Perl", "perl", "perl" },
	{ "Lua", "lua", "lua5.4|lua5.3|lua" },
	{ "CMake", "cmake", "cmake" },
	{ "Meson and Ninja", "meson|ninja", "meson" },
	{ "make", "makefile|gmake", "make" },
	{ "debugger", "debugger|gdb|debug programs", "gdb" },
	{ "system call tracer", "strace|trace system calls|syscall trace", "strace" },
	{ "memory checker", "valgrind|memory leaks|memory checker|memory errors|find leaks",
	  "valgrind" },
	{ "git", "git|version control|source control|vcs|git client", "git" },
	{ "Mercurial", "mercurial|hg", "mercurial" },
	/* containers and infrastructure */
	{ "container tools", "container|container tools|run containers|container runtime|"
	  "containerization|oci", "podman|docker" },
	{ "Docker", "docker|docker engine|docker compose|docker-compose", "docker docker-cli-compose" },
	{ "Podman", "podman|rootless containers|buildah", "podman" },
	{ "Kubernetes client", "kubernetes|kubectl|k8s|kubernetes client", "kubectl" },
	{ "Ansible", "ansible|configuration management", "ansible" },
	/* networking */
	{ "DNS tools", "dns tools|dns lookup|dig|nslookup|dns|dns query|resolve names|host command|"
	  "dns records|look up dns|lookup dns|query dns", "bind-tools" },
	{ "DNS server", "dns server|name server|nameserver|authoritative dns|bind|named",
	  "bind|unbound" },
	{ "DNS resolver", "dns resolver|dns cache|caching resolver|recursive resolver|unbound|"
	  "caching dns|caching dns server|local dns cache", "unbound|dnsmasq" },
	{ "DHCP server", "dhcp server|dhcp|dnsmasq", "dnsmasq" },
	{ "network tools", "network tools|networking tools|network diagnostics|ip command|"
	  "iproute|iproute2|ifconfig|netstat|traceroute|mtr|debug network|network problems|"
	  "network issues|troubleshoot network|network troubleshooting|diagnose network",
	  "iproute2 mtr" },
	{ "ping", "ping|iputils", "iputils" },
	{ "packet capture", "tcpdump|packet capture|sniff packets|capture traffic|packet sniffer|"
	  "network traffic|capture network traffic|sniff traffic|capture packets", "tcpdump" },
	{ "Wireshark (terminal)", "wireshark|tshark", "tshark" },
	{ "port scanner", "nmap|port scanner|scan ports|port scan|open ports|scan open ports|"
	  "scan network|network scan", "nmap" },
	{ "netcat", "netcat|nc|socat", "netcat-openbsd socat" },
	{ "HTTP client", "curl|http client|download files|downloader|fetch urls|http requests",
	  "curl" },
	{ "wget", "wget", "wget" },
	{ "SSH server", "ssh server|sshd|openssh|openssh server|remote login|ssh access|"
	  "remote shell|secure shell|ssh into|people ssh|users ssh|allow ssh|accept ssh|"
	  "ssh logins|log in remotely|log in over ssh|login over ssh|log in with ssh|ssh login",
	  "openssh" },
	{ "SSH client", "ssh|ssh client|scp|sftp", "openssh-client|openssh" },
	{ "Mosh", "mosh|mobile shell", "mosh" },
	{ "firewall", "firewall|packet filter|nftables|nft", "nftables|iptables" },
	{ "iptables", "iptables|ip6tables", "iptables" },
	{ "UFW firewall", "ufw|uncomplicated firewall", "ufw" },
	{ "brute-force protection", "fail2ban|brute force|ban ip", "fail2ban" },
	{ "WireGuard VPN", "vpn|wireguard|wg", "wireguard-tools" },
	{ "OpenVPN", "openvpn", "openvpn" },
	{ "mail server", "mail server|smtp server|smtp|mta|postfix|email server|send email|"
	  "send mail|smtp relay|mail relay|outgoing mail", "postfix" },
	{ "IMAP server", "imap|imap server|pop3|dovecot", "dovecot" },
	{ "FTP server", "ftp server|ftpd|vsftpd", "vsftpd" },
	{ "FTP client", "ftp client|ftp|lftp", "lftp" },
	{ "Samba file sharing", "samba|smb|cifs|windows shares|file sharing|windows file sharing|"
	  "share files|share folders|share with windows|windows machines|windows clients|"
	  "network share", "samba" },
	{ "NFS", "nfs|nfs server|nfs client|network file system", "nfs-utils" },
	{ "time synchronisation", "ntp|time sync|clock sync|time synchronization|"
	  "time synchronisation|chrony|ntp server", "chrony" },
	/* editors and shells */
	{ "text editor", "editor|text editor|edit files|edit text", "vim|nano" },
	{ "Vim", "vim|vi|vim editor", "vim" },
	{ "GNU nano", "nano|beginner editor|editor beginners|beginners editor|beginners", "nano" },
	{ "Neovim", "neovim|nvim", "neovim" },
	{ "Emacs", "emacs", "emacs-nox|emacs" },
	{ "terminal multiplexer", "terminal multiplexer|tmux|multiplexer|detach terminal",
	  "tmux|screen" },
	{ "GNU screen", "gnu screen|screen", "screen" },
	{ "Bash", "bash|bash shell|shell", "bash" },
	{ "Zsh", "zsh|z shell", "zsh" },
	{ "fish shell", "fish|fish shell", "fish" },
	/* system administration */
	{ "process monitor", "htop|top|process viewer|process monitor|monitor processes|"
	  "task manager|resource usage|cpu usage|memory usage|monitor cpu|monitor memory|"
	  "cpu memory|load average", "htop" },
	{ "monitoring", "monitoring|monitor|metrics|node exporter|prometheus exporter|"
	  "system metrics", "prometheus-node-exporter htop" },
	{ "Prometheus server", "prometheus|prometheus server|time series database",
	  "prometheus" },
	{ "Grafana dashboards", "grafana|dashboard|dashboards", "grafana" },
	/* "monitor disk usage" is one need: the longer phrase keeps "monitor"
	 * from the monitoring intent (which planned prometheus-node-exporter
	 * and htop beside ncdu on real 3.18) */
	{ "disk usage", "disk usage|ncdu|du|disk space|uses disk space|what uses disk|"
	  "free space|space used|monitor disk usage|monitor disk space|check disk usage|"
	  "check disk space", "ncdu" },
	{ "open files", "lsof|open files", "lsof" },
	{ "I/O monitor", "iotop|disk io|io monitor", "iotop" },
	{ "privilege escalation", "sudo|run as root|superuser|root access|admin rights",
	  "sudo|doas" },
	{ "doas", "doas", "doas" },
	{ "cron", "cron|crontab|scheduled jobs|job scheduler|scheduler|cronie|schedule jobs|"
	  "scheduled tasks|schedule tasks|periodic jobs|run jobs|cron jobs|recurring jobs",
	  "cronie|dcron" },
	{ "log rotation", "logrotate|log rotation|rotate logs", "logrotate" },
	{ "syslog", "syslog|rsyslog|syslog-ng|log server|logging", "rsyslog|syslog-ng" },
	{ "file synchronisation", "rsync|file sync|sync files|synchronize files|mirror files",
	  "rsync" },
	{ "backups", "backup|backups|restic|borg|borgbackup", "restic|borgbackup" },
	{ "cloud storage sync", "rclone|cloud storage|s3 sync", "rclone" },
	{ "AWS command line", "aws|aws cli|awscli|amazon web services", "aws-cli" },
	{ "file manager", "file manager|midnight commander|mc", "mc" },
	{ "man pages", "man|man pages|manual pages|manpages|documentation", "mandoc man-pages" },
	{ "GnuPG", "gpg|gnupg|pgp|encrypt files|encryption|signatures", "gnupg" },
	{ "password generator", "pwgen|password generator|generate passwords", "pwgen" },
	/* data and files */
	{ "compression tools", "compression|compress|compress files|compression tools|"
	  "archive tools|archiver|archives|decompress", "xz zstd zip unzip bzip2" },
	{ "zip", "zip|unzip|zip files|zip archives", "zip unzip" },
	{ "7-Zip", "7zip|7z|7-zip|p7zip", "7zip|p7zip" },
	{ "xz", "xz|lzma", "xz" },
	{ "zstd", "zstd|zstandard", "zstd" },
	{ "tar", "tar|tarball|gnu tar|tar archives|tar files|extract tar|tar.gz", "tar" },
	{ "JSON processor", "jq|json|json processor|parse json|json tool|json query|process json",
	  "jq" },
	/* yq-go from 3.19; 3.18 calls the same tool yq */
	{ "YAML processor", "yq|yaml|yaml processor|parse yaml|yaml tool|yaml files", "yq-go|yq" },
	{ "image processing", "imagemagick|convert images|image processing|resize images|"
	  "image conversion|image manipulation|manipulate images|edit images|image editing|"
	  "edit photos|photo editing|resize photos|resize pictures|crop images|crop photos|"
	  "thumbnails|make thumbnails|convert pictures|convert photos", "imagemagick" },
	{ "audio and video", "ffmpeg|video|convert video|transcode|audio conversion|media|"
	  "convert audio|audio files|transcode videos|convert videos|videos", "ffmpeg" },
	{ "PDF tools", "pdf|pdf tools|pdftotext|poppler|convert pdf|pdf to text|text from pdf|"
	  "read pdf", "poppler-utils" },
	{ "text web browser", "text browser|web browser|lynx|w3m|terminal browser|browse web|"
	  "web in terminal|terminal web browser|browse internet", "lynx|w3m" },
	{ "IRC client", "irc|irc client|weechat|irssi", "weechat|irssi" },
	{ "file type detection", "file type|file command|libmagic", "file" },
	{ "directory tree", "tree|directory tree", "tree" },
	{ "fuzzy finder", "fzf|fuzzy finder", "fzf" },
	{ "ripgrep", "ripgrep|rg|fast grep|search code", "ripgrep" },
};

const struct aipkg_intent *aipkg_catalog(size_t *n)
{
	*n = sizeof(catalog) / sizeof(catalog[0]);
	return catalog;
}
