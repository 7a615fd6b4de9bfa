<?php
// Test site only: no mail leaves the machine, and no call goes to wordpress.org.
add_filter('pre_wp_mail', '__return_false');
add_filter('pre_http_request', function () {
    return new WP_Error('http_request_blocked', 'Test site: no outgoing HTTP.');
});
