/* Symbol visibility for libaipkg: only AIPKG_API symbols are public. */
/* SPDX-License-Identifier: MIT */
#ifndef AIPKG_EXPORT_H
#define AIPKG_EXPORT_H

#if defined(__GNUC__)
#define AIPKG_API __attribute__((visibility("default")))
#else
#define AIPKG_API
#endif

#endif
