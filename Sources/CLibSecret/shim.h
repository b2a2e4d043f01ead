// The parts of libsecret (and GLib) that Swift cannot call directly: the schema docker's helper uses (a static
// C struct with a fixed attribute array) and GHashTable helpers (g_str_hash and g_free as function pointers).
// SwiftPM does not notice edits to this file: touch a Swift file of SecretServiceStore after changing it.
#ifndef OSSB_CLIBSECRET_SHIM_H
#define OSSB_CLIBSECRET_SHIM_H

// The D-Bus path functions (secret-paths.h) let the store work on item paths without building a GDBusProxy per
// item: a proxy costs five bus round trips, the path functions one. They have been stable since libsecret 0.7.
#define SECRET_API_SUBJECT_TO_CHANGE
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

// The bus connection under the service proxy (G_DBUS_PROXY is a macro Swift cannot call).
static inline GDBusConnection *ossb_service_connection(SecretService *service) {
    return g_dbus_proxy_get_connection(G_DBUS_PROXY(service));
}

// Whether anybody owns org.freedesktop.secrets (the proxy is created even when nobody does).
static inline gboolean ossb_service_has_owner(SecretService *service) {
    gchar *owner = g_dbus_proxy_get_name_owner(G_DBUS_PROXY(service));
    gboolean has = owner != NULL;
    g_free(owner);
    return has;
}

// libsecret's service object, built lean: libsecret's constructor asks GDBusProxy to load the service's
// properties, subscribe to its signals and start it by name, and `secret_service_get_sync` also caches the
// object behind a bus-name watch. The path-based calls use none of that, and it costs three bus round trips
// (StartServiceByName, GetNameOwner, Properties.GetAll) of the nine a `get` makes. This subclass puts the
// proxy flags back after libsecret's constructor; method calls still start an activatable service.
typedef struct { SecretService parent; } OssbLeanService;
typedef struct { SecretServiceClass parent_class; } OssbLeanServiceClass;

// The type is registered by hand (not G_DEFINE_TYPE) because Swift's importer emits this header's inline
// functions but not file-level static variables.
static GObject *ossb_lean_service_constructor(GType type, guint count, GObjectConstructParam *properties) {
    GObjectClass *parent = G_OBJECT_CLASS(g_type_class_peek(SECRET_TYPE_SERVICE));
    GObject *object = parent->constructor(type, count, properties);
    g_object_set(object, "g-flags",
                 G_DBUS_PROXY_FLAGS_DO_NOT_LOAD_PROPERTIES | G_DBUS_PROXY_FLAGS_DO_NOT_CONNECT_SIGNALS |
                     G_DBUS_PROXY_FLAGS_DO_NOT_AUTO_START_AT_CONSTRUCTION,
                 NULL);
    return object;
}

static void ossb_lean_service_class_init(gpointer klass, gpointer data) {
    (void)data;
    G_OBJECT_CLASS(klass)->constructor = ossb_lean_service_constructor;
}

static inline GType ossb_lean_service_get_type(void) {
    static gsize type = 0;
    if (g_once_init_enter(&type)) {
        GType registered = g_type_register_static_simple(
            SECRET_TYPE_SERVICE, "OssbLeanService", sizeof(OssbLeanServiceClass), ossb_lean_service_class_init,
            sizeof(OssbLeanService), NULL, 0);
        g_once_init_leave(&type, registered);
    }
    return type;
}

// A new lean service object on the session bus (not libsecret's shared one); the caller unrefs it.
static inline SecretService *ossb_service_open(GCancellable *cancellable, GError **error) {
    return (SecretService *)g_initable_new(ossb_lean_service_get_type(), cancellable, error, "flags",
                                           SECRET_SERVICE_NONE, NULL);
}

// The encrypted session, opened on a thread of its own: its key exchange (libgcrypt seeding its generator and
// two 1024-bit exponentiations, about 3 ms of CPU) then overlaps the search and attribute round trips of `get`
// instead of following them. The thread holds its own references; join it with `ossb_session_join` before
// reading a secret, or leave it to finish on its own when no secret is needed.
typedef struct {
    SecretService *service;
    GCancellable *cancellable;
    GError *error;
    gboolean opened;
} OssbSessionOpening;

static gpointer ossb_session_open_thread(gpointer data) {
    OssbSessionOpening *opening = data;
    opening->opened = secret_service_ensure_session_sync(opening->service, opening->cancellable, &opening->error);
    return opening;
}

static inline GThread *ossb_session_start(SecretService *service, GCancellable *cancellable) {
    OssbSessionOpening *opening = g_new0(OssbSessionOpening, 1);
    opening->service = g_object_ref(service);
    opening->cancellable = cancellable == NULL ? NULL : g_object_ref(cancellable);
    return g_thread_new("ossb-session", ossb_session_open_thread, opening);
}

static inline void ossb_session_opening_free(OssbSessionOpening *opening) {
    g_object_unref(opening->service);
    if (opening->cancellable != NULL) g_object_unref(opening->cancellable);
    g_free(opening);
}

// Waits for the session; FALSE with `error` set when it could not be opened.
static inline gboolean ossb_session_join(GThread *thread, GError **error) {
    OssbSessionOpening *opening = g_thread_join(thread);
    gboolean opened = opening->opened;
    if (!opened) g_propagate_error(error, opening->error);
    else if (opening->error != NULL) g_error_free(opening->error);
    ossb_session_opening_free(opening);
    return opened;
}

// Lets the session thread finish on its own (its result is not needed).
static gpointer ossb_session_abandon_thread(gpointer data) {
    OssbSessionOpening *opening = g_thread_join((GThread *)data);
    g_clear_error(&opening->error);
    ossb_session_opening_free(opening);
    return NULL;
}

static inline void ossb_session_abandon(GThread *thread) {
    g_thread_unref(g_thread_new("ossb-session-reaper", ossb_session_abandon_thread, thread));
}

// Reads one property of a Secret Service object (Properties.Get); the caller unrefs the value.
static inline GVariant *ossb_get_property(GDBusConnection *connection, const char *path, const char *interface,
                                          const char *name, GCancellable *cancellable, GError **error) {
    GVariant *reply = g_dbus_connection_call_sync(
        connection, "org.freedesktop.secrets", path, "org.freedesktop.DBus.Properties", "Get",
        g_variant_new("(ss)", interface, name), G_VARIANT_TYPE("(v)"), G_DBUS_CALL_FLAGS_NONE, -1, cancellable, error);
    if (reply == NULL) return NULL;
    GVariant *value = NULL;
    g_variant_get(reply, "(v)", &value);
    g_variant_unref(reply);
    return value;
}

// Peer.Ping on org.freedesktop.secrets: answers when a Secret Service runs (or is started by D-Bus activation),
// fails with ServiceUnknown when none can.
static inline gboolean ossb_ping_service(GDBusConnection *connection, GCancellable *cancellable, GError **error) {
    GVariant *reply = g_dbus_connection_call_sync(
        connection, "org.freedesktop.secrets", "/org/freedesktop/secrets", "org.freedesktop.DBus.Peer", "Ping", NULL,
        NULL, G_DBUS_CALL_FLAGS_NONE, -1, cancellable, error);
    if (reply == NULL) return FALSE;
    g_variant_unref(reply);
    return TRUE;
}

// One item's property as `ossb_items_property` read it: its attributes or its modification time, or the error
// of its call (an item deleted meanwhile, a timeout).
typedef struct {
    GHashTable *attributes;
    guint64 modified;
    GError *error;
} OssbItemProperties;

typedef struct {
    OssbItemProperties *slot;
    guint *pending;
} OssbPropertiesCall;

static void ossb_item_property_done(GObject *source, GAsyncResult *result, gpointer data) {
    OssbPropertiesCall *call = data;
    GVariant *reply = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, &call->slot->error);
    if (reply != NULL) {
        GVariant *value = NULL;
        g_variant_get(reply, "(v)", &value);
        if (g_variant_is_of_type(value, G_VARIANT_TYPE("a{ss}"))) {
            GHashTable *attributes = ossb_attributes_new();
            GVariantIter iter;
            const char *key, *text;
            g_variant_iter_init(&iter, value);
            while (g_variant_iter_next(&iter, "{&s&s}", &key, &text)) ossb_attributes_set(attributes, key, text);
            call->slot->attributes = attributes;
        } else if (g_variant_is_of_type(value, G_VARIANT_TYPE_UINT64)) {
            call->slot->modified = g_variant_get_uint64(value);
        }
        g_variant_unref(value);
        g_variant_unref(reply);
    }
    *call->pending -= 1;
    g_free(call);
}

// Reads one property (`Attributes` or `Modified`) of `count` items with Properties.Get, pipelined: every call
// is sent before the first reply is awaited, so 100 items cost about one round trip plus the service's work
// instead of 100 round trips one after another. One property rather than GetAll halves gnome-keyring's work
// (10 ms against 20 ms for 100 items here). libsecret has no path-based call for attributes (only a
// SecretItem proxy, five round trips each), so this is plain GDBus. Replies are dispatched on a private main
// context of the calling thread; a cancelled `cancellable` ends every call at once. Free the result with
// `ossb_items_properties_free`.
static inline OssbItemProperties *ossb_items_property(GDBusConnection *connection, gchar **paths, guint count,
                                                      const char *property, GCancellable *cancellable) {
    OssbItemProperties *slots = g_new0(OssbItemProperties, count == 0 ? 1 : count);
    guint pending = count;
    GMainContext *context = g_main_context_new();
    g_main_context_push_thread_default(context);
    for (guint i = 0; i < count; i++) {
        OssbPropertiesCall *call = g_new0(OssbPropertiesCall, 1);
        call->slot = &slots[i];
        call->pending = &pending;
        g_dbus_connection_call(
            connection, "org.freedesktop.secrets", paths[i], "org.freedesktop.DBus.Properties", "Get",
            g_variant_new("(ss)", "org.freedesktop.Secret.Item", property), G_VARIANT_TYPE("(v)"),
            G_DBUS_CALL_FLAGS_NONE, -1, cancellable, ossb_item_property_done, call);
    }
    while (pending > 0) g_main_context_iteration(context, TRUE);
    g_main_context_pop_thread_default(context);
    g_main_context_unref(context);
    return slots;
}

static inline void ossb_items_properties_free(OssbItemProperties *slots, guint count) {
    for (guint i = 0; i < count; i++) {
        if (slots[i].attributes != NULL) g_hash_table_unref(slots[i].attributes);
        if (slots[i].error != NULL) g_error_free(slots[i].error);
    }
    g_free(slots);
}

// A secret value made from exactly `length` bytes (a NUL inside stays part of it); libsecret copies them.
static inline SecretValue *ossb_secret_value_new(const void *bytes, gsize length) {
    return secret_value_new(bytes == NULL ? "" : (const gchar *)bytes, (gssize)length, "text/plain");
}

#endif
