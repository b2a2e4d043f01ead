// The parts of libsecret (and GLib) that Swift cannot call directly: the schema docker's helper uses (a static
// C struct with a fixed attribute array) and GHashTable helpers (g_str_hash and g_free as function pointers).
// SwiftPM does not notice edits to this file: touch a Swift file of SecretServiceStore after changing it.
#ifndef OSSB_CLIBSECRET_SHIM_H
#define OSSB_CLIBSECRET_SHIM_H

#include <libsecret/secret.h>

// docker-credential-secretservice's schema, attribute for attribute (docker-credential-helpers
// secretservice/secretservice.c). SECRET_SCHEMA_NONE means libsecret adds and matches `xdg:schema`, so
// items stay interchangeable with docker's helper only while the name and flags are exactly these.
static inline const SecretSchema *ossb_docker_schema(void) {
    static const SecretSchema schema = {
        "io.docker.Credentials", SECRET_SCHEMA_NONE,
        {
            { "label", SECRET_SCHEMA_ATTRIBUTE_STRING },
            { "server", SECRET_SCHEMA_ATTRIBUTE_STRING },
            { "username", SECRET_SCHEMA_ATTRIBUTE_STRING },
            { "docker_cli", SECRET_SCHEMA_ATTRIBUTE_STRING },
            { NULL, 0 },
        }
    };
    return &schema;
}

// A string-to-string table owning copies of its keys and values, as libsecret's attribute arguments expect.
static inline GHashTable *ossb_attributes_new(void) {
    return g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
}

static inline void ossb_attributes_set(GHashTable *table, const char *name, const char *value) {
    g_hash_table_insert(table, g_strdup(name), g_strdup(value));
}

// The string value of an attribute, or NULL; owned by the table.
static inline const char *ossb_attributes_get(GHashTable *table, const char *name) {
    return (const char *)g_hash_table_lookup(table, name);
}

// Frees a list of SecretItem references as libsecret's search returns them.
static inline void ossb_item_list_free(GList *items) {
    g_list_free_full(items, g_object_unref);
}

static inline SecretItem *ossb_item_list_data(GList *node) {
    return SECRET_ITEM(node->data);
}

#endif
