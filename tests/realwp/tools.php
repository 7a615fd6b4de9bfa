<?php
// What a site owner would do in wp-admin, for tests that arrange the site quickly.
// Usage: php tools.php <docroot> <home> option <name> <JSON value>
//        php tools.php <docroot> <home> comments <JSON list of wp_insert_comment arguments>
// Read the arguments before WordPress loads: it has globals of its own ($action among them).
$tanggap_args = $argv;
[, $docroot, $home, $tanggap_action] = $tanggap_args;
define('ABSPATH', rtrim($docroot, '/') . '/');
$_SERVER['HTTP_HOST'] = parse_url($home, PHP_URL_HOST) . ':' . parse_url($home, PHP_URL_PORT);
$_SERVER['REQUEST_URI'] = '/';
require ABSPATH . 'wp-load.php';

switch ($tanggap_action) {
    case 'option':
        update_option($tanggap_args[4], json_decode($tanggap_args[5], true, 512, JSON_THROW_ON_ERROR));
        if ($tanggap_args[4] === 'permalink_structure') {
            flush_rewrite_rules(false);
        }
        break;
    case 'comments':
        $ids = [];
        foreach (json_decode($tanggap_args[4], true, 512, JSON_THROW_ON_ERROR) as $comment) {
            $comment['comment_date'] = get_date_from_gmt($comment['comment_date_gmt']);
            $ids[] = wp_insert_comment($comment);
        }
        echo json_encode($ids);
        break;
    default:
        fwrite(STDERR, "unknown action $tanggap_action\n");
        exit(2);
}
