<?php
// Installs a fresh WordPress into an empty database and seeds it, as a site owner would:
// wp_install(), an editor with an application password, Asia/Jakarta, comments approved and
// held. Usage: php install.php <docroot> <plan.json>; prints the ids and passwords as JSON.
[, $docroot, $plan_file] = $argv;
$plan = json_decode(file_get_contents($plan_file), true, 512, JSON_THROW_ON_ERROR);

define('ABSPATH', rtrim($docroot, '/') . '/');
define('WP_INSTALLING', true);
$_SERVER['HTTP_HOST'] = parse_url($plan['home'], PHP_URL_HOST) . ':' . parse_url($plan['home'], PHP_URL_PORT);
$_SERVER['REQUEST_URI'] = '/';
require ABSPATH . 'wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';

$admin = $plan['admin'];
$installed = wp_install($plan['title'], $admin['username'], $admin['email'], true, '', wp_slash($admin['password']));
if (is_wp_error($installed)) {
    fwrite(STDERR, $installed->get_error_message());
    exit(1);
}
// wp_install leaves "Hello world!", a sample page and its comment: a real site has deleted them.
foreach (get_posts(['post_type' => ['post', 'page'], 'post_status' => 'any', 'numberposts' => -1]) as $post) {
    wp_delete_post($post->ID, true);
}
foreach ([
    'blogdescription' => $plan['description'],
    'timezone_string' => $plan['timezone'],
    'gmt_offset' => '',
    'permalink_structure' => '/%postname%/',
    'comment_moderation' => 0,          // WordPress's defaults, stated: held when the author is new
    'comment_previously_approved' => 1,
    'comment_max_links' => 2,
    'require_name_email' => 1,
    'thread_comments' => 1,
] as $name => $value) {
    update_option($name, $value);
}
flush_rewrite_rules(false);

$official = $plan['official'];
$official_id = wp_insert_user([
    'user_login' => $official['username'], 'user_pass' => wp_generate_password(24), 'role' => 'editor',
    'display_name' => $official['name'], 'user_email' => $official['email'], 'nickname' => $official['name'],
]);
if (is_wp_error($official_id)) {
    fwrite(STDERR, $official_id->get_error_message());
    exit(1);
}
// A registered visitor without unfiltered_html: what they post goes through kses and the flood check.
$visitor_id = wp_insert_user([
    'user_login' => 'warga-uji', 'user_pass' => wp_generate_password(24), 'role' => 'subscriber',
    'display_name' => 'Warga Uji', 'user_email' => 'warga-uji@example.id',
]);
$passwords = [];
foreach ([1 => 'admin', $official_id => 'official', $visitor_id => 'visitor'] as $user_id => $who) {
    [$password] = WP_Application_Passwords::create_new_application_password($user_id, ['name' => 'tanggap']);
    $passwords[$who] = WP_Application_Passwords::chunk_password($password);
}

$post_ids = [];
// Loop variables are prefixed: WordPress keeps globals named $post and $comment.
foreach ($plan['posts'] as $seed_post) {
    $post_ids[$seed_post['key']] = wp_insert_post([
        'post_title' => $seed_post['title'], 'post_name' => $seed_post['slug'],
        'post_content' => $seed_post['content'], 'post_status' => 'publish', 'post_author' => $official_id,
        'comment_status' => 'open', 'post_date_gmt' => $seed_post['date_gmt'],
        'post_date' => get_date_from_gmt($seed_post['date_gmt']),
    ], true);
}
$comment_ids = [];
foreach ($plan['comments'] as $seed_comment) {
    $comment_ids[$seed_comment['key']] = wp_insert_comment([
        'comment_post_ID' => $post_ids[$seed_comment['post_key']],
        'comment_parent' => $seed_comment['parent_key'] ? $comment_ids[$seed_comment['parent_key']] : 0,
        'user_id' => $seed_comment['official'] ? $official_id : 0,
        'comment_author' => $seed_comment['author_name'],
        'comment_author_email' => $seed_comment['author_email'],
        'comment_author_IP' => $seed_comment['author_ip'],
        'comment_content' => $seed_comment['content'],
        'comment_approved' => $seed_comment['status'] === 'approve' ? 1 : 0,
        'comment_date_gmt' => $seed_comment['date_gmt'],
        'comment_date' => get_date_from_gmt($seed_comment['date_gmt']),
    ]);
}
echo json_encode(['official_id' => $official_id, 'passwords' => $passwords, 'posts' => $post_ids,
                  'comments' => $comment_ids]);
